//! The board's reassign: a picking task, then a picker, each chosen from a
//! list (↑/↓ and Enter) or typed (a task id; a badge or worker id). The
//! tasks offered are the open order's that the domain's own transition
//! table lets be assigned (in progress included: a picker left mid-task);
//! the pickers are those who work in the task's warehouse, online first.

use crate::app::board::PickerView;
use crate::domain::machine;
use crate::domain::picking::{PickingAction, PickingStatus, TASK_TRANSITIONS};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph, Widget};

use super::OrderDetail;

/// A picking task the open order offers for reassigning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offered {
    pub task: i64,
    pub warehouse: String,
    /// `pick 12 in_progress 1/2 (Pia)`.
    pub label: String,
}

/// The picking tasks of `o` that may be assigned to someone else.
pub fn tasks(o: &OrderDetail) -> Vec<Offered> {
    let mut out = Vec::new();
    for f in &o.order.fulfillments {
        for t in &f.picking {
            let open = PickingStatus::parse(&t.status)
                .is_some_and(|s| machine::step(TASK_TRANSITIONS, s, PickingAction::Assign).is_ok());
            if open {
                let who = t.worker.as_ref().map(|w| format!(" ({w})")).unwrap_or_default();
                out.push(Offered {
                    task: t.task_id,
                    warehouse: f.warehouse.clone(),
                    label: format!("pick {} {} {}{who}", t.task_id, t.status, t.progress),
                });
            }
        }
    }
    out
}

/// The pickers who work in `warehouse`.
pub fn pickers<'a>(all: &'a [PickerView], warehouse: &str) -> Vec<&'a PickerView> {
    all.iter().filter(|p| p.warehouses.is_empty() || p.warehouses.iter().any(|w| w == warehouse)).collect()
}

pub fn picker_label(p: &PickerView) -> String {
    let state = if p.online { "online" } else { "off" };
    format!("{:<8} {:<16} {state}", p.badge, p.name.chars().take(16).collect::<String>())
}

/// `cursor` moved by `delta` within a list of `len` rows.
pub fn moved(cursor: usize, delta: isize, len: usize) -> usize {
    cursor.saturating_add_signed(delta).min(len.saturating_sub(1))
}

/// Draws `rows` with `cursor` marked, as many as fit around the cursor,
/// saying how many more there are above and below.
pub fn render_list(title: &str, rows: &[String], cursor: usize, area: Rect, buf: &mut Buffer) {
    let block = Block::default().borders(Borders::TOP).title(title);
    let room = usize::from(area.height.saturating_sub(1)).max(1);
    // A list longer than the room keeps its last row to say what is hidden.
    let shown = if rows.len() > room { room.saturating_sub(1).max(1) } else { room };
    let start = cursor.saturating_sub(shown - 1).min(rows.len().saturating_sub(shown));
    let mut lines: Vec<Line<'_>> = rows
        .iter()
        .enumerate()
        .skip(start)
        .take(shown)
        .map(|(i, r)| {
            if i == cursor {
                Line::styled(format!("> {r}"), Style::default().add_modifier(Modifier::REVERSED))
            } else {
                Line::raw(format!("  {r}"))
            }
        })
        .collect();
    let (above, below) = (start, rows.len().saturating_sub(start + shown));
    if above + below > 0 && room > 1 {
        lines.push(Line::raw(format!("  +{} more ({above} above, {below} below)", above + below)));
    }
    if rows.is_empty() {
        lines.push(Line::raw("  nobody to choose"));
    }
    Paragraph::new(lines).block(block).render(area, buf);
}
