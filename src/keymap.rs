//! The floor TUI's keymap as data: which key does which action. Defaults in
//! `assets/keymap.toml` (compiled in); a site may load its own. Pure.

use std::collections::BTreeMap;

/// What a key asks the screen to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    Confirm,
    Clear,
    Back,
    Next,
    PageUp,
    PageDown,
    Menu,
}

impl Action {
    const ALL: [(&'static str, Action); 7] = [
        ("confirm", Action::Confirm),
        ("clear", Action::Clear),
        ("back", Action::Back),
        ("next", Action::Next),
        ("page_up", Action::PageUp),
        ("page_down", Action::PageDown),
        ("menu", Action::Menu),
    ];

    fn parse(s: &str) -> Option<Action> {
        Action::ALL.iter().find(|(n, _)| *n == s).map(|(_, a)| *a)
    }
}

/// A key by name, as written in the keymap file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyName {
    F(u8),
    Esc,
    Enter,
    Tab,
    Up,
    Down,
    Left,
    Right,
    PageUp,
    PageDown,
    Backspace,
    Char(char),
    Ctrl(char),
}

impl KeyName {
    pub fn parse(s: &str) -> Option<KeyName> {
        let named = [
            ("Esc", KeyName::Esc),
            ("Enter", KeyName::Enter),
            ("Tab", KeyName::Tab),
            ("Up", KeyName::Up),
            ("Down", KeyName::Down),
            ("Left", KeyName::Left),
            ("Right", KeyName::Right),
            ("PageUp", KeyName::PageUp),
            ("PageDown", KeyName::PageDown),
            ("Backspace", KeyName::Backspace),
        ];
        if let Some((_, k)) = named.iter().find(|(n, _)| n.eq_ignore_ascii_case(s)) {
            return Some(*k);
        }
        if let Some(n) = s.strip_prefix('F').or_else(|| s.strip_prefix('f')) {
            return n.parse::<u8>().ok().filter(|n| (1..=12).contains(n)).map(KeyName::F);
        }
        if let Some(c) = s.strip_prefix("Ctrl+") {
            let mut chars = c.chars();
            return match (chars.next(), chars.next()) {
                (Some(c), None) => Some(KeyName::Ctrl(c.to_ascii_lowercase())),
                _ => None,
            };
        }
        let mut chars = s.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) => Some(KeyName::Char(c)),
            _ => None,
        }
    }
}

/// Key → action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    bindings: BTreeMap<KeyName, Action>,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    keys: BTreeMap<String, Vec<String>>,
}

impl Keymap {
    /// The defaults from `assets/keymap.toml`.
    pub fn defaults() -> Keymap {
        Keymap::from_toml(include_str!("../assets/keymap.toml")).unwrap_or(Keymap { bindings: BTreeMap::new() })
    }

    /// Reads a keymap; an unknown action or key, or a key bound twice, is
    /// an error naming it.
    pub fn from_toml(text: &str) -> Result<Keymap, String> {
        let file: File = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut bindings = BTreeMap::new();
        for (action, keys) in file.keys {
            let a = Action::parse(&action).ok_or_else(|| format!("unknown action {action:?}"))?;
            for k in keys {
                let key = KeyName::parse(&k).ok_or_else(|| format!("unknown key {k:?} for {action}"))?;
                if let Some(other) = bindings.insert(key, a) {
                    return Err(format!("key {k:?} is bound to both {other:?} and {a:?}"));
                }
            }
        }
        Ok(Keymap { bindings })
    }

    pub fn action(&self, key: KeyName) -> Option<Action> {
        self.bindings.get(&key).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_bind_the_function_keys() {
        let k = Keymap::defaults();
        assert_eq!(k.action(KeyName::F(1)), Some(Action::Confirm));
        assert_eq!(k.action(KeyName::F(3)), Some(Action::Back));
        assert_eq!(k.action(KeyName::PageDown), Some(Action::PageDown));
        assert_eq!(k.action(KeyName::Esc), Some(Action::Menu));
        assert_eq!(k.action(KeyName::Char('a')), None);
    }

    #[test]
    fn site_keymaps_are_checked() {
        let k = Keymap::from_toml("[keys]\nconfirm = [\"Enter\", \"Ctrl+Y\"]\n").expect("valid");
        assert_eq!(k.action(KeyName::Ctrl('y')), Some(Action::Confirm));
        assert!(Keymap::from_toml("[keys]\nconfirm = [\"F1\"]\nback = [\"F1\"]\n").is_err_and(|e| e.contains("both")));
        assert!(Keymap::from_toml("[keys]\njump = [\"F1\"]\n").is_err_and(|e| e.contains("jump")));
        assert!(Keymap::from_toml("[keys]\nconfirm = [\"F13\"]\n").is_err_and(|e| e.contains("F13")));
    }
}
