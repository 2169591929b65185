//! A screen's facts ([`View`]) and their layout for the terminal's size.
//! Pure: [`render`] writes into a ratatui buffer, so tests render through
//! `TestBackend` and the terminal gets the same cells.
//!
//! - **compact** (narrower than 40 or shorter than 16, down to 20x8): no
//!   borders, one fact per line; the title bar on top, then the big fact,
//!   then the other facts in the model's order (the ones that do not fit are
//!   dropped, so models put the important ones first), and at the bottom
//!   the input line, the feedback line and the keys.
//! - **bordered** (40x16 and up): the same inside a frame, the title in the
//!   top border and the keys in the bottom one.
//! - **too small** (under 20x8): a notice saying what is needed.

use super::Flash;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::widgets::{Block, Borders, Widget};

/// The smallest terminal the floor apps lay out for.
pub const MIN: (u16, u16) = (20, 8);
/// From this size up, the layout has borders.
pub const BORDERED: (u16, u16) = (40, 16);

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct View {
    /// The title bar: the screen and progress, e.g. `PICK 3/12`.
    pub title: String,
    /// Right of the title: online/offline and the queue (`OFF q3 5m`).
    pub status: String,
    /// The fact to read from a distance (a location), shown first and bold.
    pub big: Option<String>,
    /// The other facts, most important first.
    pub lines: Vec<String>,
    /// Numbered options after the lines; when they do not fit one per row
    /// they flow several to a row.
    pub choices: Vec<String>,
    pub prompt: Option<Prompt>,
    pub flash: Option<Flash>,
    /// Key hints, e.g. `("F1", "ok")`.
    pub keys: Vec<(&'static str, &'static str)>,
}

/// The input line: a label and what has been typed so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Prompt {
    pub label: String,
    pub value: String,
    /// Shown as `*` (PINs).
    pub secret: bool,
}

impl Prompt {
    pub fn new(label: impl Into<String>, value: &str) -> Option<Prompt> {
        Some(Prompt { label: label.into(), value: value.to_owned(), secret: false })
    }

    /// The prompt in `width` columns: a value too long for them scrolls
    /// (its end and the cursor stay in sight, `…` where the rest went)
    /// instead of being cut before what was just typed.
    fn text(&self, width: usize) -> String {
        let value = if self.secret { "*".repeat(self.value.chars().count()) } else { self.value.clone() };
        let full = format!("{}{}_", self.label, value);
        if full.chars().count() <= width {
            return full;
        }
        let room = width.saturating_sub(self.label.chars().count() + 2);
        let skip = value.chars().count().saturating_sub(room);
        format!("{}…{}_", self.label, value.chars().skip(skip).collect::<String>())
    }
}

/// Which layout a terminal of `w` x `h` gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    TooSmall,
    Compact,
    Bordered,
}

impl Layout {
    pub fn of(w: u16, h: u16) -> Layout {
        if w < MIN.0 || h < MIN.1 {
            Layout::TooSmall
        } else if w < BORDERED.0 || h < BORDERED.1 {
            Layout::Compact
        } else {
            Layout::Bordered
        }
    }
}

/// How many rows [`render`] leaves a view's lines below a one-row big fact
/// at `w`x`h` (an app that pages its lines fits a page to it).
pub fn line_rows(w: u16, h: u16) -> usize {
    let h = usize::from(h);
    match Layout::of(w, h as u16) {
        Layout::TooSmall => 0,
        // Title and keys; prompt and flash; the big fact.
        Layout::Compact => h.saturating_sub(2 + 2 + 1),
        // Borders; prompt and flash; the big fact and the row under it.
        Layout::Bordered => h.saturating_sub(2 + 2 + 2),
    }
}

fn keys_text(keys: &[(&str, &str)]) -> String {
    keys.iter().map(|(k, a)| format!("{k} {a}")).collect::<Vec<_>>().join(" ")
}

/// Draws `view` into `area` of `buf`.
pub fn render(view: &View, area: Rect, buf: &mut Buffer) {
    match Layout::of(area.width, area.height) {
        Layout::TooSmall => {
            let need = format!("need {}x{}", MIN.0, MIN.1);
            for (i, line) in ["terminal", "too small:", need.as_str()].iter().enumerate() {
                if (i as u16) < area.height {
                    buf.set_stringn(area.x, area.y + i as u16, line, area.width as usize, Style::default());
                }
            }
        }
        Layout::Compact => {
            // The status keeps its place at the right. Where both do not fit,
            // the status gives up its last words first (`OFF q6 9s` → `OFF q6`
            // → `OFF`), so the title keeps the task it names; then the title
            // gives way.
            let w = area.width as usize;
            let title_len = view.title.chars().count();
            let mut status = view.status.as_str();
            while title_len + 1 + status.chars().count() > w {
                match status.rsplit_once(' ') {
                    Some((head, _)) => status = head,
                    None => break,
                }
            }
            let status: String = status.chars().take(w).collect();
            let room = w.saturating_sub(status.chars().count() + usize::from(!status.is_empty()));
            let title: String = view.title.chars().take(room).collect();
            let gap = if status.is_empty() { "" } else { " " };
            let bar = format!("{title:<room$}{gap}{status}");
            buf.set_stringn(area.x, area.y, bar, w, Style::default().add_modifier(Modifier::REVERSED));
            body(view, Rect { y: area.y + 1, height: area.height - 2, ..area }, buf, 1);
            let keys = keys_text(&view.keys);
            buf.set_stringn(area.x, area.bottom() - 1, keys, area.width as usize, Style::default());
        }
        Layout::Bordered => {
            let mut block = Block::default().borders(Borders::ALL).title(format!(" {} ", view.title));
            if !view.status.is_empty() {
                block = block.title_top(ratatui::text::Line::from(format!(" {} ", view.status)).right_aligned());
            }
            let block = block.title_bottom(format!(" {} ", keys_text(&view.keys)));
            let inner = block.inner(area);
            block.render(area, buf);
            body(view, Rect { x: inner.x + 1, width: inner.width.saturating_sub(2), ..inner }, buf, 2);
        }
    }
}

/// Big fact and lines from the top (`gap` rows after the big fact); prompt
/// and flash on the last two rows.
fn body(view: &View, area: Rect, buf: &mut Buffer, gap: u16) {
    let bottom = area.bottom();
    let w = area.width as usize;
    let prompt_row = bottom.saturating_sub(2);
    let flash_row = bottom.saturating_sub(1);
    let mut y = area.y;
    if let Some(big) = &view.big {
        // A location code of 32 characters on a 20-column handheld goes on
        // at the next row: the picker must see all of it.
        let rows = wrap(big, w);
        let extra = u16::try_from(rows.len().saturating_sub(1)).unwrap_or(0);
        for (n, row) in rows.iter().enumerate() {
            let at = y + u16::try_from(n).unwrap_or(0);
            if at >= prompt_row {
                break;
            }
            buf.set_stringn(area.x, at, row, w, Style::default().add_modifier(Modifier::BOLD | Modifier::REVERSED));
        }
        y += gap + extra;
    }
    let room = prompt_row.saturating_sub(y) as usize;
    // A fact longer than the screen is wide goes on at the next row, not cut
    // off (a refusal's reason on a 20-column handheld).
    let mut rows: Vec<String> = view.lines.iter().flat_map(|l| wrap(l, w)).collect();
    rows.extend(flow(&view.choices, room.saturating_sub(rows.len()), w));
    // More facts than rows (40x8): short ones share a row, and what still
    // does not fit is counted, never silently cut.
    if rows.len() > room {
        rows = flow(&rows, room, w);
    }
    if rows.len() > room && room > 0 {
        let more = rows.len() - (room - 1);
        rows.truncate(room - 1);
        rows.push(format!("+{more} more"));
    }
    for row in rows {
        if y >= prompt_row {
            break;
        }
        buf.set_stringn(area.x, y, row, w, Style::default());
        y += 1;
    }
    if let Some(p) = &view.prompt {
        buf.set_stringn(area.x, prompt_row, p.text(w), w, Style::default().add_modifier(Modifier::BOLD));
    }
    if let Some(f) = &view.flash {
        let style = if f.error { Style::default().add_modifier(Modifier::REVERSED) } else { Style::default() };
        buf.set_stringn(area.x, flash_row, &f.text, w, style);
    }
}

/// `line` in rows of at most `width` columns, broken between words (a word
/// wider than a row is broken inside).
fn wrap(line: &str, width: usize) -> Vec<String> {
    if line.chars().count() <= width || width == 0 {
        return vec![line.to_owned()];
    }
    let mut rows: Vec<String> = vec![];
    let mut row = String::new();
    for word in line.split_whitespace() {
        let mut word: Vec<char> = word.chars().collect();
        let used = row.chars().count();
        if used > 0 && used + 1 + word.len() <= width {
            row.push(' ');
            row.extend(word);
            continue;
        }
        // A word no row can hold (a long SKU) starts where the row has room.
        if word.len() > width && used > 0 && used + 2 <= width {
            row.push(' ');
            row.extend(word.drain(..width - used - 1));
        }
        if used > 0 {
            rows.push(std::mem::take(&mut row));
        }
        while word.len() > width {
            rows.push(word.drain(..width).collect());
        }
        row = word.into_iter().collect();
    }
    if !row.is_empty() {
        rows.push(row);
    }
    rows
}

/// `items` one per row if they fit in `rows`, else packed into rows of
/// `width` columns, two spaces apart.
fn flow(items: &[String], rows: usize, width: usize) -> Vec<String> {
    if items.len() <= rows {
        return items.to_vec();
    }
    let mut out: Vec<String> = vec![];
    for item in items {
        match out.last_mut() {
            Some(last) if last.chars().count() + 2 + item.chars().count() <= width => {
                last.push_str("  ");
                last.push_str(item);
            }
            _ => out.push(item.clone()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A big fact wider than the screen (a 32-character location on a
    /// 20-column handheld) is shown whole over two rows.
    #[test]
    fn a_long_location_is_shown_whole() {
        let v = View {
            big: Some("ZONE-A-AISLE-07-RACK-12-LEVEL-03".into()),
            lines: vec!["1 x SKU-A".into()],
            ..View::default()
        };
        let mut buf = Buffer::empty(Rect::new(0, 0, 20, 16));
        render(&v, Rect::new(0, 0, 20, 16), &mut buf);
        let row = |y: u16| (0..20).map(|x| buf[(x, y)].symbol().to_owned()).collect::<String>();
        let text: String = (0..4).map(row).collect::<Vec<_>>().join("|");
        assert!(text.contains("ZONE-A-AISLE-07-RACK|-12-LEVEL-03"), "{text}");
        assert!(text.contains("1 x SKU-A"), "the lines follow: {text}");
    }

    /// A scan longer than the prompt row scrolls: what was just typed and
    /// the cursor stay in sight.
    #[test]
    fn a_long_echo_scrolls_instead_of_being_cut() {
        let p = Prompt { label: "Item ".into(), value: "]d2010400638133393110ABC123".into(), secret: false };
        assert_eq!(p.text(20), "Item …3393110ABC123_");
        assert_eq!(p.text(20).chars().count(), 20);
        assert_eq!(Prompt { label: "Loc ".into(), value: "A-01".into(), secret: false }.text(20), "Loc A-01_");
    }

    /// `line_rows` says what `render` really leaves: that many lines show,
    /// and one more would not.
    #[test]
    fn line_rows_is_what_render_leaves() {
        for (w, h) in [(20, 16), (40, 8), (80, 24), (24, 10)] {
            let rows = line_rows(w, h);
            for (n, fits) in [(rows, true), (rows + 1, false)] {
                let v = View {
                    big: Some("BIG".into()),
                    // Too long for two to share a row.
                    lines: (0..n).map(|i| format!("L{i:02}{}", "x".repeat(usize::from(w) - 8))).collect(),
                    ..View::default()
                };
                let mut buf = Buffer::empty(Rect::new(0, 0, w, h));
                render(&v, buf.area, &mut buf);
                let text: String = buf.content().iter().map(|c| c.symbol()).collect();
                assert_eq!(!text.contains("more"), fits, "{n} lines at {w}x{h}");
            }
        }
    }

    #[test]
    fn layouts_by_size() {
        assert_eq!(Layout::of(20, 16), Layout::Compact);
        assert_eq!(Layout::of(40, 8), Layout::Compact);
        assert_eq!(Layout::of(40, 16), Layout::Bordered);
        assert_eq!(Layout::of(80, 24), Layout::Bordered);
        assert_eq!(Layout::of(19, 16), Layout::TooSmall);
        assert_eq!(Layout::of(80, 7), Layout::TooSmall);
    }

    #[test]
    fn long_lines_wrap_between_words() {
        assert_eq!(wrap("short", 20), ["short"]);
        assert_eq!(wrap("refused: the order is cancelled", 20), ["refused: the order", "is cancelled"]);
        assert_eq!(wrap("TT0000000000000000000017RS x", 10), ["TT00000000", "0000000000", "0017RS x"]);
        // A word no row holds starts on the row with room, not on its own.
        assert_eq!(wrap("1 x SKU-ENAMEL-MUG-350-NAVY", 20), ["1 x SKU-ENAMEL-MUG-3", "50-NAVY"]);
    }

    #[test]
    fn choices_flow_into_rows_only_when_they_do_not_fit() {
        let items: Vec<String> = ["1 box", "2 bag", "3 envelope"].map(String::from).to_vec();
        assert_eq!(flow(&items, 3, 20), items);
        assert_eq!(flow(&items, 2, 20), ["1 box  2 bag", "3 envelope"]);
    }
}
