//! Keys → actions or scans. A key bound in the keymap is an action; every
//! other key goes to the scanner assembler, which yields a [`Scan`] at a
//! terminator (Enter, LF as Ctrl+J, Tab). Enter with nothing typed is
//! Confirm, so a typed quantity needs no function key. Pure.

use crate::keymap::{Action, KeyName, Keymap};
use crate::scanner::{Assembler, Key, KeyAt, Scan, ScannerConfig};

/// A key as the terminal edge translated it: its keymap name and its
/// scanner meaning (either may be absent), and when it arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyIn {
    pub name: Option<KeyName>,
    pub key: Option<Key>,
    pub at_ms: u64,
}

impl KeyIn {
    /// A printable character (tests and the tmux driver type these).
    pub fn char(c: char, at_ms: u64) -> KeyIn {
        KeyIn { name: Some(KeyName::Char(c)), key: Some(Key::Char(c)), at_ms }
    }
    pub fn enter(at_ms: u64) -> KeyIn {
        KeyIn { name: Some(KeyName::Enter), key: Some(Key::Enter), at_ms }
    }
    pub fn named(name: KeyName, at_ms: u64) -> KeyIn {
        KeyIn { name: Some(name), key: None, at_ms }
    }
}

/// What one key amounted to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Action(Action),
    Scan(Scan),
    /// The pending input changed (a character, a backspace).
    Edited,
}

#[derive(Debug, Clone)]
pub struct Input {
    keymap: Keymap,
    asm: Assembler,
}

impl Default for Input {
    fn default() -> Self {
        Input::new(Keymap::defaults(), ScannerConfig::default())
    }
}

impl Input {
    pub fn new(keymap: Keymap, scanner: ScannerConfig) -> Input {
        Input { keymap, asm: Assembler::new(scanner) }
    }

    /// Typed or scanned characters not yet ended by a terminator.
    pub fn pending(&self) -> &str {
        self.asm.pending()
    }

    pub fn clear(&mut self) {
        self.asm.clear();
    }

    pub fn feed(&mut self, k: KeyIn) -> Option<Event> {
        let terminator = matches!(k.key, Some(Key::Enter | Key::Tab | Key::Ctrl('j' | 'J' | 'm' | 'M')));
        let typing = !self.asm.pending().is_empty();
        // A terminator ends a scan in progress even if the keymap binds it.
        if let Some(action) = k.name.and_then(|n| self.keymap.action(n)).filter(|_| !(terminator && typing)) {
            if action == Action::Clear {
                self.asm.clear();
            }
            return Some(Event::Action(action));
        }
        if terminator && !typing {
            return Some(Event::Action(Action::Confirm));
        }
        let key = k.key?;
        Some(match self.asm.feed(KeyAt { key, at_ms: k.at_ms }) {
            Some(scan) => Event::Scan(scan),
            None => Event::Edited,
        })
    }
}

/// Feeds `k` to `input`; any event but an edit clears the feedback line
/// (an error stays until the next scan or key).
pub fn feed(input: &mut Input, flash: &mut Option<super::Flash>, k: KeyIn) -> Option<Event> {
    let ev = input.feed(k)?;
    if !matches!(ev, Event::Edited) {
        *flash = None;
    }
    Some(ev)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed_all(input: &mut Input, keys: &[KeyIn]) -> Vec<Event> {
        keys.iter().filter_map(|k| input.feed(*k)).collect()
    }

    #[test]
    fn function_keys_are_actions_and_characters_build_a_scan() {
        let mut i = Input::default();
        let mut keys: Vec<KeyIn> = "A-01".chars().map(|c| KeyIn::char(c, 1)).collect();
        keys.push(KeyIn::enter(2));
        keys.push(KeyIn::named(KeyName::F(3), 3));
        let ev = feed_all(&mut i, &keys);
        assert_eq!(ev[..4], [Event::Edited, Event::Edited, Event::Edited, Event::Edited]);
        assert!(matches!(&ev[4], Event::Scan(s) if s.text == "A-01"));
        assert_eq!(ev[5], Event::Action(Action::Back));
        // Enter on an empty line confirms; F2 clears what was typed.
        assert_eq!(i.feed(KeyIn::enter(4)), Some(Event::Action(Action::Confirm)));
        i.feed(KeyIn::char('7', 5));
        assert_eq!(i.pending(), "7");
        assert_eq!(i.feed(KeyIn::named(KeyName::F(2), 6)), Some(Event::Action(Action::Clear)));
        assert_eq!(i.pending(), "");
    }

    #[test]
    fn a_terminator_bound_in_the_keymap_still_ends_a_scan() {
        let keymap = Keymap::from_toml("[keys]\nconfirm = [\"Enter\"]\n").expect("valid");
        let mut i = Input::new(keymap, ScannerConfig::default());
        i.feed(KeyIn::char('9', 1));
        assert!(matches!(i.feed(KeyIn::enter(2)), Some(Event::Scan(s)) if s.text == "9"));
        assert_eq!(i.feed(KeyIn::enter(3)), Some(Event::Action(Action::Confirm)));
    }
}
