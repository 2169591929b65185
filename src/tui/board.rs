//! `tote board`: the supervisor's screen, Elm-style like the floor apps.
//! The model takes keys and server answers and asks for refreshes, order
//! details and actions as [`BoardCmd`]s; [`Board::render`] draws it into a
//! ratatui buffer (pure, so 80x24 and 120x40 are snapshot tests). The
//! runtime (`tui::board_run`) refreshes on every event of the SSE stream and
//! every few seconds as a fallback.
//!
//! Keys: `o` open an order by id, `Esc` back, `q` quit, `r` refresh. In an
//! order: `c` cancel (then `y`), `p` priority (then 1 low … 4 urgent),
//! `t` retry its stuck workflow, `a` reassign a picking task (the task,
//! then the picker, each chosen from a list with ↑/↓ and Enter, or typed).
//! On the overview: `w` releases a wave (`warehouse [totes per cart]`), `m`
//! closes a carrier's manifest (`warehouse carrier`: its parcels at that
//! dock leave), `d` sends dead webhook deliveries again, ↑/↓ scroll the
//! devices pane.

mod reassign;

use super::Failure;
use crate::app::board::BoardView;
use crate::app::views::OrderView;
use crate::app::workflow::view::WorkflowView;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph, Widget, Wrap};

/// A key as the board reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoardKey {
    Char(char),
    Enter,
    Esc,
    Backspace,
    Up,
    Down,
}

/// An order opened on the board.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderDetail {
    pub order: OrderView,
    pub workflows: Vec<WorkflowView>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum BoardMsg {
    Key(BoardKey),
    Data(Result<BoardView, Failure>),
    Order(Result<OrderDetail, Failure>),
    /// The answer to an action.
    Done(Result<String, Failure>),
    /// The event stream is connected (live) or not (polling).
    Live(bool),
}

/// A supervisor action; each is one idempotent op through the API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Cancel {
        order: i64,
    },
    Priority {
        order: i64,
        priority: &'static str,
    },
    Retry {
        workflow: String,
    },
    /// A picking task to another worker: `worker` is their id, or the
    /// badge they carry.
    Reassign {
        task: i64,
        worker: String,
    },
    /// A wave of the warehouse's pending picking work, `batch` totes a
    /// cart, at most `max_tasks` tasks of `priorities` (empty: any): only
    /// what it selects leaves the single queue.
    ReleaseWave {
        warehouse: String,
        batch: u32,
        max_tasks: Option<u32>,
        priorities: Vec<String>,
    },
    /// Dead webhook deliveries go out again.
    RetryDead,
    /// Every parcel of `carrier` at `warehouse`'s dock leaves.
    CloseManifest {
        warehouse: String,
        carrier: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BoardCmd {
    Refresh,
    LoadOrder(i64),
    Act(Action),
    Beep,
    Quit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ask {
    OrderId,
    ConfirmCancel,
    Priority,
    /// Which picking task: the cursor in the order's open ones.
    ReassignTask {
        cursor: usize,
    },
    /// To which picker: the cursor in those of the task's warehouse.
    ReassignWorker {
        task: i64,
        cursor: usize,
    },
    Wave,
    Manifest,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Board {
    data: Option<BoardView>,
    order: Option<OrderDetail>,
    ask: Option<(Ask, String)>,
    flash: Option<(String, bool)>,
    live: bool,
    /// The first device the devices pane shows (↑/↓ scroll it).
    devices_from: usize,
}

const PRIORITIES: [&str; 4] = ["low", "normal", "high", "urgent"];

fn age(secs: i64) -> String {
    match secs {
        ..=59 => format!("{secs}s"),
        60..=3599 => format!("{}m", secs / 60),
        3600..=86_399 => format!("{}h{:02}m", secs / 3600, secs % 3600 / 60),
        _ => format!("{}d", secs / 86_400),
    }
}

impl Board {
    pub fn new() -> Board {
        Board::default()
    }

    pub fn update(&mut self, msg: BoardMsg) -> Vec<BoardCmd> {
        match msg {
            BoardMsg::Data(Ok(d)) => {
                self.data = Some(d);
                if let Some(o) = &self.order {
                    return vec![BoardCmd::LoadOrder(o.order.order_id)];
                }
            }
            BoardMsg::Data(Err(f)) | BoardMsg::Order(Err(f)) => {
                self.flash = Some((f.short.clone(), true));
                return vec![BoardCmd::Beep];
            }
            BoardMsg::Order(Ok(o)) => self.order = Some(o),
            BoardMsg::Done(Ok(text)) => {
                self.flash = Some((text, false));
                return vec![BoardCmd::Refresh];
            }
            BoardMsg::Done(Err(f)) => {
                self.flash = Some((format!("{}: {}", f.code, f.message), true));
                return vec![BoardCmd::Beep];
            }
            BoardMsg::Live(on) => self.live = on,
            BoardMsg::Key(k) => return self.key(k),
        }
        Vec::new()
    }

    fn key(&mut self, k: BoardKey) -> Vec<BoardCmd> {
        if let Some((ask, mut text)) = self.ask.take() {
            return match k {
                BoardKey::Esc => Vec::new(),
                BoardKey::Backspace => {
                    text.pop();
                    self.ask = Some((ask, text));
                    Vec::new()
                }
                BoardKey::Up | BoardKey::Down => {
                    let delta = if k == BoardKey::Up { -1 } else { 1 };
                    let ask = match ask {
                        Ask::ReassignTask { cursor } => {
                            Ask::ReassignTask { cursor: reassign::moved(cursor, delta, self.offered().len()) }
                        }
                        Ask::ReassignWorker { task, cursor } => {
                            let len = self.pickers(task).len();
                            Ask::ReassignWorker { task, cursor: reassign::moved(cursor, delta, len) }
                        }
                        other => other,
                    };
                    self.ask = Some((ask, text));
                    Vec::new()
                }
                BoardKey::Char(c) if ask == Ask::Priority => self.priority(c),
                BoardKey::Char('y') if ask == Ask::ConfirmCancel => self.act(|o| Action::Cancel { order: o }),
                BoardKey::Char(_) if ask == Ask::ConfirmCancel => Vec::new(),
                BoardKey::Char(c) => {
                    text.push(c);
                    self.ask = Some((ask, text));
                    Vec::new()
                }
                BoardKey::Enter => self.answer(ask, &text),
            };
        }
        self.flash = None;
        match (k, self.order.is_some()) {
            (BoardKey::Char('q'), _) => vec![BoardCmd::Quit],
            (BoardKey::Char('r'), _) => vec![BoardCmd::Refresh],
            (BoardKey::Char('o'), _) => {
                self.ask = Some((Ask::OrderId, String::new()));
                Vec::new()
            }
            (BoardKey::Char('d'), false) => match self.data.as_ref().map(|d| d.webhooks.dead) {
                Some(n) if n > 0 => vec![BoardCmd::Act(Action::RetryDead)],
                _ => self.refuse("no dead webhook deliveries"),
            },
            (BoardKey::Char('w'), false) => {
                self.ask = Some((Ask::Wave, String::new()));
                Vec::new()
            }
            (BoardKey::Char('m'), false) => {
                self.ask = Some((Ask::Manifest, String::new()));
                Vec::new()
            }
            (BoardKey::Esc, true) => {
                self.order = None;
                Vec::new()
            }
            (BoardKey::Up, false) => {
                self.devices_from = self.devices_from.saturating_sub(1);
                Vec::new()
            }
            (BoardKey::Down, false) => {
                let last = self.data.as_ref().map_or(0, |d| d.devices.len().saturating_sub(1));
                self.devices_from = (self.devices_from + 1).min(last);
                Vec::new()
            }
            (BoardKey::Char('c'), true) => {
                self.ask = Some((Ask::ConfirmCancel, String::new()));
                Vec::new()
            }
            (BoardKey::Char('p'), true) => {
                self.ask = Some((Ask::Priority, String::new()));
                Vec::new()
            }
            (BoardKey::Char('a'), true) => {
                self.ask = Some((Ask::ReassignTask { cursor: 0 }, String::new()));
                Vec::new()
            }
            (BoardKey::Char('t'), true) => match self.stuck() {
                Some(w) => vec![BoardCmd::Act(Action::Retry { workflow: w.summary.workflow_id.clone() })],
                None => self.refuse("nothing to retry: no step is stuck"),
            },
            _ => Vec::new(),
        }
    }

    /// The open order's workflow a retry would move on, if any.
    fn stuck(&self) -> Option<&WorkflowView> {
        self.order.as_ref()?.workflows.iter().find(|w| w.summary.retryable)
    }

    fn refuse(&mut self, why: &str) -> Vec<BoardCmd> {
        self.flash = Some((why.to_owned(), true));
        vec![BoardCmd::Beep]
    }

    fn act(&mut self, f: impl FnOnce(i64) -> Action) -> Vec<BoardCmd> {
        match &self.order {
            Some(o) => vec![BoardCmd::Act(f(o.order.order_id))],
            None => Vec::new(),
        }
    }

    fn priority(&mut self, c: char) -> Vec<BoardCmd> {
        match c.to_digit(10).and_then(|d| PRIORITIES.get((d as usize).wrapping_sub(1))) {
            Some(p) => self.act(|o| Action::Priority { order: o, priority: p }),
            None => self.refuse("priority: 1 low, 2 normal, 3 high, 4 urgent"),
        }
    }

    fn answer(&mut self, ask: Ask, text: &str) -> Vec<BoardCmd> {
        if ask == Ask::Wave {
            // warehouse [totes per cart [most tasks [priorities,…]]]
            let mut words = text.split_whitespace();
            let warehouse = words.next().unwrap_or_default().to_owned();
            let batch = words.next().map_or(Some(4), |w| w.parse().ok());
            let max_tasks = words.next().map(|w| w.parse::<u32>().ok());
            let priorities: Vec<String> =
                words.next().map(|w| w.split(',').map(str::to_owned).collect()).unwrap_or_default();
            return match (warehouse.is_empty(), batch, max_tasks) {
                (false, Some(batch), None) => {
                    vec![BoardCmd::Act(Action::ReleaseWave { warehouse, batch, max_tasks: None, priorities })]
                }
                (false, Some(batch), Some(Some(max))) => {
                    vec![BoardCmd::Act(Action::ReleaseWave { warehouse, batch, max_tasks: Some(max), priorities })]
                }
                _ => self.refuse("type: warehouse [totes [most tasks [prio,prio]]]"),
            };
        }
        if ask == Ask::Manifest {
            return match text.split_whitespace().collect::<Vec<_>>().as_slice() {
                [warehouse, carrier] => vec![BoardCmd::Act(Action::CloseManifest {
                    warehouse: (*warehouse).to_owned(),
                    carrier: (*carrier).to_owned(),
                })],
                _ => self.refuse("type: warehouse carrier"),
            };
        }
        if let Ask::ReassignTask { cursor } = ask {
            return match text.split_whitespace().collect::<Vec<_>>().as_slice() {
                [] => match self.offered().get(cursor) {
                    Some(o) => self.ask_worker(o.task),
                    None => self.refuse("no open picking task here: type a task id"),
                },
                [task] if task.parse::<i64>().is_ok_and(|t| t > 0) => self.ask_worker(task.parse().unwrap_or_default()),
                // Both at once: a task id and the badge (or worker id).
                [task, worker] if task.parse::<i64>().is_ok_and(|t| t > 0) => {
                    vec![BoardCmd::Act(Action::Reassign {
                        task: task.parse().unwrap_or_default(),
                        worker: (*worker).to_owned(),
                    })]
                }
                _ => self.refuse("type: task-id [badge]"),
            };
        }
        if let Ask::ReassignWorker { task, cursor } = ask {
            let worker = match text.trim() {
                "" => self.pickers(task).get(cursor).map(|p| p.badge.clone()),
                typed => Some(typed.to_owned()),
            };
            return match worker {
                Some(worker) => vec![BoardCmd::Act(Action::Reassign { task, worker })],
                None => self.refuse("no picker works there: type a badge"),
            };
        }
        match (ask, text.trim().parse::<i64>()) {
            (Ask::OrderId, Ok(id)) if id > 0 => vec![BoardCmd::LoadOrder(id)],
            (Ask::OrderId, _) => self.refuse("an order id is a number"),
            _ => Vec::new(),
        }
    }

    fn ask_worker(&mut self, task: i64) -> Vec<BoardCmd> {
        self.ask = Some((Ask::ReassignWorker { task, cursor: 0 }, String::new()));
        Vec::new()
    }

    /// The open order's picking tasks that may go to another picker.
    fn offered(&self) -> Vec<reassign::Offered> {
        self.order.as_ref().map(reassign::tasks).unwrap_or_default()
    }

    /// The pickers `task` may go to: those of its warehouse (every one
    /// when the task is not the open order's).
    fn pickers(&self, task: i64) -> Vec<&crate::app::board::PickerView> {
        let all = self.data.as_ref().map(|d| d.pickers.as_slice()).unwrap_or_default();
        match self.offered().into_iter().find(|o| o.task == task) {
            Some(o) => reassign::pickers(all, &o.warehouse),
            None => all.iter().collect(),
        }
    }

    /// Draws the board into `buf` at `area`.
    pub fn render(&self, area: Rect, buf: &mut Buffer) {
        let [head, body, foot] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(3), Constraint::Length(2)]).areas(area);
        let at = self.data.as_ref().map(|d| d.at.format("%H:%M:%S").to_string()).unwrap_or_default();
        let mode = if self.live { "live" } else { "polling" };
        let title = match &self.order {
            Some(o) => format!("TOTE BOARD · order {}", o.order.order_id),
            None => "TOTE BOARD".to_owned(),
        };
        let right = format!("{at} {mode}");
        let gap = usize::from(area.width).saturating_sub(title.chars().count() + right.chars().count());
        Paragraph::new(format!("{title}{}{right}", " ".repeat(gap)))
            .style(Style::default().add_modifier(Modifier::REVERSED))
            .render(head, buf);
        match (&self.ask, &self.order, &self.data) {
            (Some((Ask::ReassignTask { cursor }, _)), Some(_), _) => {
                let rows: Vec<String> = self.offered().into_iter().map(|o| o.label).collect();
                reassign::render_list(" Reassign which picking task? ", &rows, *cursor, body, buf);
            }
            (Some((Ask::ReassignWorker { task, cursor }, _)), _, _) => {
                let rows: Vec<String> = self.pickers(*task).into_iter().map(reassign::picker_label).collect();
                reassign::render_list(&format!(" Task {task} to which picker? "), &rows, *cursor, body, buf);
            }
            (_, Some(o), _) => order_lines(o, body, buf),
            (_, None, Some(d)) => overview(d, self.devices_from, body, buf),
            (_, None, None) => Paragraph::new("loading…").render(body, buf),
        }
        let prompt = match &self.ask {
            Some((Ask::OrderId, t)) => format!("order id: {t}_"),
            Some((Ask::ConfirmCancel, _)) => "cancel this order? y / Esc".to_owned(),
            Some((Ask::Priority, _)) => "priority: 1 low 2 normal 3 high 4 urgent".to_owned(),
            Some((Ask::ReassignTask { .. }, t)) => format!("task (↑↓ Enter, or type id [badge]): {t}_"),
            Some((Ask::ReassignWorker { .. }, t)) => format!("picker (↑↓ Enter, or type badge): {t}_"),
            Some((Ask::Wave, t)) => format!("wave (wh [totes [max [prio,..]]]): {t}_"),
            Some((Ask::Manifest, t)) => format!("close manifest (warehouse carrier): {t}_"),
            None => match &self.flash {
                Some((text, _)) => text.clone(),
                None => String::new(),
            },
        };
        // Retry is offered only where a step is stuck.
        let choosing = matches!(self.ask, Some((Ask::ReassignTask { .. } | Ask::ReassignWorker { .. }, _)));
        let keys = if choosing {
            "↑↓ choose  Enter take it  Esc back"
        } else if self.order.is_some() && self.stuck().is_some() {
            "c cancel  p priority  t retry  a reassign  Esc back  q quit"
        } else if self.order.is_some() {
            "c cancel  p priority  a reassign  Esc back  q quit"
        } else {
            "o order  w wave  m manifest  d retry dead  ↑↓ devices  r refresh  q quit"
        };
        let style = match &self.flash {
            Some((_, true)) if self.ask.is_none() => Style::default().add_modifier(Modifier::BOLD),
            _ => Style::default(),
        };
        Paragraph::new(vec![Line::styled(prompt, style), Line::raw(keys)]).render(foot, buf);
    }
}

fn section(title: &str) -> Block<'_> {
    Block::default().borders(Borders::TOP).title(title)
}

fn overview(d: &BoardView, devices_from: usize, area: Rect, buf: &mut Buffer) {
    let wide = area.width >= 100;
    let [top, bottom] = Layout::vertical([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(area);
    let [queues, alerts] = Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(top);
    let [output, devices] = Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(bottom);
    let mut q: Vec<String> = d
        .queues
        .iter()
        .map(|x| {
            let status: String = x.status.chars().take(if wide { 16 } else { 11 }).collect();
            let w = if wide { 16 } else { 11 };
            format!("{:<8} {status:<w$} {:<6} {:>4} {:>6}", x.queue, x.priority, x.count, age(x.oldest_secs))
        })
        .collect();
    if q.is_empty() {
        q.push("no open work".into());
    }
    Paragraph::new(q.join("\n")).block(section(" Queues: status prio n oldest ")).render(queues, buf);
    let mut a: Vec<String> =
        d.alerts.iter().map(|x| format!("{:>6} {} {}", age(x.age_secs), x.rule.replace('_', " "), x.subject)).collect();
    if a.is_empty() {
        a.push("no alerts".into());
    }
    Paragraph::new(a.join("\n"))
        .wrap(Wrap { trim: true })
        .block(section(&format!(" Alerts ({}) ", d.alerts.len())))
        .render(alerts, buf);
    let p = |s: Option<i64>| s.map_or("-".to_owned(), age);
    let mut o = Vec::new();
    for t in [&d.hour, &d.day] {
        // Each line fits the 40 columns of an 80-column board.
        let span = if t.window_secs <= 3600 { "hour" } else { "day " };
        o.push(format!(
            "{span} {} ship p50 {} p95 {} short {:.1}%",
            t.shipped,
            p(t.order_to_ship_p50_secs),
            p(t.order_to_ship_p95_secs),
            t.shortage_rate * 100.0
        ));
    }
    o.push(format!("stock-outs: {} realloc, {} unfulfillable", d.day.reallocated, d.day.unfulfillable));
    o.push(format!("webhooks: {} pending, {} dead", d.webhooks.pending, d.webhooks.dead));
    let per_worker: Vec<String> =
        d.hour.picks_by_worker.iter().map(|w| format!("{} {}/h", w.worker, w.picks)).collect();
    o.push(format!("picks: {}", if per_worker.is_empty() { "-".to_owned() } else { per_worker.join(", ") }));
    if wide {
        let wf: Vec<String> = d.workflows.iter().map(|w| format!("{} {} {}", w.kind, w.status, w.count)).collect();
        o.push(format!("workflows: {}", wf.join(", ")));
    }
    Paragraph::new(o.join("\n")).wrap(Wrap { trim: true }).block(section(" Throughput ")).render(output, buf);
    let mut v: Vec<String> = d
        .devices
        .iter()
        .map(|x| {
            let state = if x.silent_seconds > crate::app::board::SILENT_SECS {
                format!("OFF {}", age(x.silent_seconds))
            } else {
                "online".into()
            };
            format!("{:<10} {:<10} q{}", x.device_id, state, x.queued)
        })
        .collect();
    if v.is_empty() {
        v.push("no devices yet".into());
    }
    let [dock, devices] = Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(devices);
    let parcels: usize = d.dock.iter().map(|x| x.parcels.len()).sum();
    let mut k: Vec<String> = d
        .dock
        .iter()
        .map(|x| {
            format!("{:>6} {} {} order {} {}", age(x.age_secs), x.warehouse, x.carrier, x.order_id, x.parcels.join(" "))
        })
        .collect();
    if k.is_empty() {
        k.push("nothing waiting".into());
    }
    Paragraph::new(fit(k, dock).join("\n")).block(section(&format!(" Dock: {parcels} waiting "))).render(dock, buf);
    // Scrolled by ↑/↓, never past a full last page; the title says from where.
    let from = devices_from.min(v.len().saturating_sub(usize::from(devices.height.saturating_sub(2))));
    let title = match from {
        0 => format!(" Devices ({}) ", d.devices.len()),
        n => format!(" Devices ({}, {n} above) ", d.devices.len()),
    };
    Paragraph::new(fit(v.split_off(from), devices).join("\n")).block(section(&title)).render(devices, buf);
}

/// `rows` cut to what fits below a section's title in `area`, the last
/// row saying how many more there are, instead of silently cutting them.
fn fit(mut rows: Vec<String>, area: Rect) -> Vec<String> {
    let room = usize::from(area.height.saturating_sub(1));
    if rows.len() > room && room > 0 {
        let more = rows.len() - (room - 1);
        rows.truncate(room - 1);
        rows.push(format!("+{more} more"));
    }
    rows
}

fn order_lines(o: &OrderDetail, area: Rect, buf: &mut Buffer) {
    let mut lines = vec![format!(
        "{} {} priority {} → {}, {}",
        o.order.request_id,
        o.order.status.as_str(),
        o.order.priority.as_str(),
        o.order.ship_to.contact_name,
        o.order.ship_to.city
    )];
    for f in &o.order.fulfillments {
        let tasks: Vec<String> = f
            .picking
            .iter()
            .map(|t| (format!("pick {} {} {}", t.task_id, t.status, t.progress), &t.worker))
            .chain(f.packing.iter().map(|t| (format!("pack {} {}", t.task_id, t.status), &t.worker)))
            .map(|(task, worker)| match worker {
                Some(w) => format!("{task} ({w})"),
                None => task,
            })
            .collect();
        lines.push(format!("{} {}: {} — {}", f.fulfillment_id, f.warehouse, f.status.as_str(), tasks.join(", ")));
    }
    // Each line: ordered, picked, packed, shipped, and what it is short.
    for l in &o.order.lines {
        let short = l.short.filter(|n| *n > 0).map(|n| format!(", {n} short")).unwrap_or_default();
        lines.push(format!(
            "  {} {} {} ordered, {} picked, {} packed, {} shipped{short}",
            l.warehouse, l.sku, l.quantity, l.picked, l.packed, l.shipped
        ));
    }
    let room = usize::from(area.height).saturating_sub(lines.len() + 2 * o.workflows.len() + 1);
    for w in &o.workflows {
        let s = &w.summary;
        lines.push(format!("{} {} at {}", s.workflow_id, s.status.as_str(), s.current_step));
        lines.push(format!("  {}", s.blocking_reason.as_deref().unwrap_or("not blocked")));
    }
    // The history shown is the fulfillment's (the intake's ends at "created").
    let shown = o.workflows.iter().rev().find(|w| w.summary.kind == "order_fulfillment").or(o.workflows.last());
    if let Some(w) = shown {
        let recent = w.history.len().saturating_sub(room);
        for h in &w.history[recent..] {
            let activity = h.detail.pointer("/activity/name").and_then(|a| a.as_str()).unwrap_or_default();
            lines.push(format!("  {:>3} {} {} {activity}", h.seq, h.at.format("%H:%M:%S"), h.event));
        }
    }
    Paragraph::new(lines.join("\n")).wrap(Wrap { trim: false }).block(section(" Order ")).render(area, buf);
}
