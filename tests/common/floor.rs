//! The floor models against a real server: each `Call` through
//! `tui::client` over HTTP, each reply back into the model.

use tote::keymap::KeyName;
use tote::tui::client::Client;
use tote::tui::{App, Cmd, KeyIn, Msg};

/// Runs every call (and the calls their replies lead to) against the
/// server; returns the other commands (beeps, prints).
pub async fn drive<A: App>(app: &mut A, client: &Client, mut cmds: Vec<Cmd>) -> Vec<Cmd> {
    let mut other = vec![];
    while !cmds.is_empty() {
        match cmds.remove(0) {
            Cmd::Call(call) => {
                let reply = client.run(&call, app.token()).await;
                cmds.extend(app.update(Msg::Reply(reply)));
            }
            c => other.push(c),
        }
    }
    other
}

/// Types or scans `text` and Enter, then runs what follows.
pub async fn enter<A: App>(app: &mut A, client: &Client, text: &str) -> Vec<Cmd> {
    let mut cmds = vec![];
    for (n, c) in text.chars().enumerate() {
        cmds.extend(app.update(Msg::Key(KeyIn::char(c, n as u64 * 2))));
    }
    cmds.extend(app.update(Msg::Key(KeyIn::enter(text.len() as u64 * 2))));
    drive(app, client, cmds).await
}

pub async fn press<A: App>(app: &mut A, client: &Client, key: KeyName) -> Vec<Cmd> {
    let cmds = app.update(Msg::Key(KeyIn::named(key, 0)));
    drive(app, client, cmds).await
}
