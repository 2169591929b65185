//! The floor models against a real server: each `Call` through a caller
//! (`tui::client` over HTTP, or a `Device` with its own queue), each reply
//! back into the model.

use tote::keymap::KeyName;
use tote::tui::client::Client;
use tote::tui::device::Device;
use tote::tui::{App, Call, Cmd, KeyIn, Msg, Reply};

/// What runs a model's calls: the bare client, or the device runtime.
pub trait Caller {
    async fn answer(&self, call: &Call, token: Option<&str>) -> Reply;
}

impl Caller for Client {
    async fn answer(&self, call: &Call, token: Option<&str>) -> Reply {
        self.run(call, token).await
    }
}

impl Caller for Device {
    async fn answer(&self, call: &Call, token: Option<&str>) -> Reply {
        self.call(call, token).await
    }
}

/// Runs every call (and the calls their replies lead to) through `caller`;
/// returns the other commands (beeps, prints).
pub async fn drive<A: App>(app: &mut A, caller: &impl Caller, mut cmds: Vec<Cmd>) -> Vec<Cmd> {
    let mut other = vec![];
    while !cmds.is_empty() {
        match cmds.remove(0) {
            Cmd::Call(call) => {
                let reply = caller.answer(&call, app.token()).await;
                cmds.extend(app.update(Msg::Reply(reply)));
            }
            c => other.push(c),
        }
    }
    other
}

/// Types or scans `text` and Enter, then runs what follows.
pub async fn enter<A: App>(app: &mut A, caller: &impl Caller, text: &str) -> Vec<Cmd> {
    let mut cmds = vec![];
    for (n, c) in text.chars().enumerate() {
        cmds.extend(app.update(Msg::Key(KeyIn::char(c, n as u64 * 2))));
    }
    cmds.extend(app.update(Msg::Key(KeyIn::enter(text.len() as u64 * 2))));
    drive(app, caller, cmds).await
}

pub async fn press<A: App>(app: &mut A, caller: &impl Caller, key: KeyName) -> Vec<Cmd> {
    let cmds = app.update(Msg::Key(KeyIn::named(key, 0)));
    drive(app, caller, cmds).await
}
