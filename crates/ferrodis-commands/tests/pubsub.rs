#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Byte scripts of a subscribed connection, in RESP2 and RESP3. The server's bytes are
//! what redis-server 7.0.15 sent (captured) for the same session in each protocol.

use bytes::Bytes;
use ferrodis_commands::config::Protocol;
use ferrodis_commands::pubsub::{
    classify, is_pubsub_push, ping, psubscribe, punsubscribe, punsubscribe_all, ssubscribe,
    subscribe, sunsubscribe, sunsubscribe_all, unsubscribe, unsubscribe_all, Incoming, Message,
    MessageKind, Subscriptions,
};
use ferrodis_commands::{Cmd, Error, FromValue, Value};

fn decode_all(mut bytes: &[u8]) -> Vec<Value> {
    let mut out = Vec::new();
    while !bytes.is_empty() {
        let (value, used) = ferrodis_resp::decode(bytes).unwrap().unwrap();
        out.push(value);
        bytes = &bytes[used..];
    }
    out
}

fn req(cmd: &[&str]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", cmd.len()).into_bytes();
    for arg in cmd {
        out.extend_from_slice(format!("${}\r\n{arg}\r\n", arg.len()).as_bytes());
    }
    out
}

fn written(cmd: &Cmd) -> Vec<u8> {
    let mut out = Vec::new();
    cmd.write_to(&mut out);
    out
}

fn b(s: &str) -> Bytes {
    Bytes::copy_from_slice(s.as_bytes())
}

fn confirmation(kind: MessageKind, channel: &str, count: i64) -> Message {
    Message {
        kind,
        channel: b(channel),
        pattern: None,
        payload: None,
        count: Some(count),
    }
}

fn message(channel: &str, payload: &str) -> Message {
    Message {
        kind: MessageKind::Message,
        channel: b(channel),
        pattern: None,
        payload: Some(b(payload)),
        count: None,
    }
}

/// What the test expects of one value the server sent.
#[derive(Debug)]
enum Want {
    Msg(Message),
    Push(&'static str),
    Reply(Value),
}

struct Session {
    protocol: Protocol,
    subs: Subscriptions,
}

impl Session {
    /// Checks the request's bytes, then classifies and applies what the server sent.
    fn step(&mut self, request: Option<(Cmd, Vec<u8>)>, server: &[u8], want: &[Want]) {
        if let Some((cmd, expected)) = request {
            assert_eq!(
                String::from_utf8_lossy(&written(&cmd)),
                String::from_utf8_lossy(&expected)
            );
        }
        let values = decode_all(server);
        assert_eq!(values.len(), want.len(), "{values:?}");
        for (value, want) in values.into_iter().zip(want) {
            let pubsub_push = is_pubsub_push(&value);
            let incoming = classify(value, self.protocol).unwrap();
            match (incoming, want) {
                (Incoming::Message(got), Want::Msg(expected)) => {
                    assert_eq!(&got, expected);
                    assert_eq!(
                        pubsub_push,
                        self.protocol == Protocol::Resp3 && got.kind != MessageKind::Pong
                    );
                    let was_confirmation = self.subs.apply(&got);
                    assert_eq!(was_confirmation, got.kind.is_confirmation());
                }
                (Incoming::Push(value), Want::Push(kind)) => {
                    assert!(!pubsub_push);
                    let Value::Push(items) = value else { panic!() };
                    assert_eq!(items[0], Value::BulkString(b(kind)));
                }
                (Incoming::Reply(value), Want::Reply(expected)) => {
                    assert!(!pubsub_push);
                    assert_eq!(&value, expected);
                }
                (got, want) => panic!("got {got:?}, wanted {want:?}"),
            }
        }
    }

    fn channels(&self) -> Vec<&str> {
        self.subs
            .channels()
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect()
    }
}

/// The same session in both protocols; `server` gives the bytes per protocol.
fn session(protocol: Protocol) {
    let resp3 = protocol == Protocol::Resp3;
    // RESP2 frames are arrays (`*3`), RESP3 frames pushes (`>3`), and the nil channel is
    // `$-1` or `_`: the only differences between the two captures.
    let frame = |bytes: &str| -> Vec<u8> {
        if !resp3 {
            return bytes.as_bytes().to_vec();
        }
        bytes
            .split_terminator("\r\n")
            .map(|line| match line.strip_prefix('*') {
                Some(len) if len.starts_with(|c: char| c.is_ascii_digit()) => format!(">{len}\r\n"),
                _ if line == "$-1" => "_\r\n".to_owned(),
                _ => format!("{line}\r\n"),
            })
            .collect::<String>()
            .into_bytes()
    };
    let mut s = Session {
        protocol,
        subs: Subscriptions::new(),
    };
    assert!(!s.subs.is_subscribed());

    // SUBSCRIBE a b c: counts 1, 2, 3.
    s.step(
        Some((subscribe(["a", "b", "c"]), req(&["SUBSCRIBE", "a", "b", "c"]))),
        &frame("*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n*3\r\n$9\r\nsubscribe\r\n$1\r\nb\r\n:2\r\n*3\r\n$9\r\nsubscribe\r\n$1\r\nc\r\n:3\r\n"),
        &[
            Want::Msg(confirmation(MessageKind::Subscribe, "a", 1)),
            Want::Msg(confirmation(MessageKind::Subscribe, "b", 2)),
            Want::Msg(confirmation(MessageKind::Subscribe, "c", 3)),
        ],
    );
    assert!(s.subs.is_subscribed());
    assert_eq!(s.channels(), ["a", "b", "c"]);

    // PSUBSCRIBE n*: count 4 (channels and patterns together).
    s.step(
        Some((psubscribe("n*"), req(&["PSUBSCRIBE", "n*"]))),
        &frame("*3\r\n$10\r\npsubscribe\r\n$2\r\nn*\r\n:4\r\n"),
        &[Want::Msg(Message {
            kind: MessageKind::PSubscribe,
            channel: b("n*"),
            pattern: None,
            payload: None,
            count: Some(4),
        })],
    );
    assert_eq!(s.subs.patterns().collect::<Vec<_>>(), [&b("n*")]);

    // A message and a pmessage (with its pattern); in RESP3, a tracking invalidation
    // arrives among them and is told apart.
    let mut msgs = frame("*3\r\n$7\r\nmessage\r\n$1\r\na\r\n$5\r\nhello\r\n*4\r\n$8\r\npmessage\r\n$2\r\nn*\r\n$4\r\nnews\r\n$2\r\npm\r\n");
    let mut want = vec![
        Want::Msg(message("a", "hello")),
        Want::Msg(Message {
            kind: MessageKind::PMessage,
            channel: b("news"),
            pattern: Some(b("n*")),
            payload: Some(b("pm")),
            count: None,
        }),
    ];
    if resp3 {
        msgs.extend_from_slice(b">2\r\n$10\r\ninvalidate\r\n*1\r\n$2\r\ntk\r\n");
        want.push(Want::Push("invalidate"));
    }
    s.step(None, &msgs, &want);

    // SSUBSCRIBE s1: shard channels are counted apart.
    s.step(
        Some((ssubscribe("s1"), req(&["SSUBSCRIBE", "s1"]))),
        &frame("*3\r\n$10\r\nssubscribe\r\n$2\r\ns1\r\n:1\r\n"),
        &[Want::Msg(confirmation(MessageKind::SSubscribe, "s1", 1))],
    );
    s.step(
        None,
        &frame("*3\r\n$8\r\nsmessage\r\n$2\r\ns1\r\n$2\r\nsm\r\n"),
        &[Want::Msg(Message {
            kind: MessageKind::SMessage,
            channel: b("s1"),
            pattern: None,
            payload: Some(b("sm")),
            count: None,
        })],
    );
    assert_eq!(s.subs.len(), 5);

    // PING: a pong message in RESP2, an ordinary reply in RESP3.
    let pong = |payload: &str| {
        Want::Msg(Message {
            kind: MessageKind::Pong,
            channel: Bytes::new(),
            pattern: None,
            payload: Some(b(payload)),
            count: None,
        })
    };
    if resp3 {
        s.step(
            Some((ping(None), req(&["PING"]))),
            b"+PONG\r\n",
            &[Want::Reply(Value::SimpleString(b("PONG")))],
        );
        s.step(
            Some((ping(Some(b"hi")), req(&["PING", "hi"]))),
            b"$2\r\nhi\r\n",
            &[Want::Reply(Value::BulkString(b("hi")))],
        );
    } else {
        s.step(
            Some((ping(None), req(&["PING"]))),
            b"*2\r\n$4\r\npong\r\n$0\r\n\r\n",
            &[pong("")],
        );
        s.step(
            Some((ping(Some(b"hi")), req(&["PING", "hi"]))),
            b"*2\r\n$4\r\npong\r\n$2\r\nhi\r\n",
            &[pong("hi")],
        );
    }

    // Resubscribing after a reconnect would restore exactly this.
    let resub: Vec<Vec<u8>> = s.subs.resubscribe_cmds().iter().map(written).collect();
    assert_eq!(
        resub,
        [
            req(&["SUBSCRIBE", "a", "b", "c"]),
            req(&["PSUBSCRIBE", "n*"]),
            req(&["SSUBSCRIBE", "s1"])
        ]
    );

    // PUNSUBSCRIBE n*: 3 left; UNSUBSCRIBE a b c: counts 2, 1, 0.
    s.step(
        Some((punsubscribe("n*"), req(&["PUNSUBSCRIBE", "n*"]))),
        &frame("*3\r\n$12\r\npunsubscribe\r\n$2\r\nn*\r\n:3\r\n"),
        &[Want::Msg(confirmation(MessageKind::PUnsubscribe, "n*", 3))],
    );
    s.step(
        Some((unsubscribe(["a", "b", "c"]), req(&["UNSUBSCRIBE", "a", "b", "c"]))),
        &frame("*3\r\n$11\r\nunsubscribe\r\n$1\r\na\r\n:2\r\n*3\r\n$11\r\nunsubscribe\r\n$1\r\nb\r\n:1\r\n*3\r\n$11\r\nunsubscribe\r\n$1\r\nc\r\n:0\r\n"),
        &[
            Want::Msg(confirmation(MessageKind::Unsubscribe, "a", 2)),
            Want::Msg(confirmation(MessageKind::Unsubscribe, "b", 1)),
            Want::Msg(confirmation(MessageKind::Unsubscribe, "c", 0)),
        ],
    );
    assert!(s.channels().is_empty());
    assert!(s.subs.is_subscribed(), "the shard channel is left");

    s.step(
        Some((sunsubscribe_all(), req(&["SUNSUBSCRIBE"]))),
        &frame("*3\r\n$12\r\nsunsubscribe\r\n$2\r\ns1\r\n:0\r\n"),
        &[Want::Msg(confirmation(MessageKind::SUnsubscribe, "s1", 0))],
    );
    assert!(!s.subs.is_subscribed());
    assert!(s.subs.resubscribe_cmds().is_empty());

    // Unsubscribing from all while subscribed to nothing: a nil channel.
    s.step(
        Some((unsubscribe_all(), req(&["UNSUBSCRIBE"]))),
        &frame("*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n"),
        &[Want::Msg(confirmation(MessageKind::Unsubscribe, "", 0))],
    );
    assert!(s.subs.is_empty());
}

#[test]
fn resp2_session() {
    session(Protocol::Resp2);
}

#[test]
fn resp3_session() {
    session(Protocol::Resp3);
}

#[test]
fn resp3_arrays_are_replies_even_when_they_look_like_messages() {
    // LRANGE of a list holding "message", "a", "b" on a RESP3 subscribed connection.
    let value = decode_all(b"*3\r\n$7\r\nmessage\r\n$1\r\na\r\n$1\r\nb\r\n").remove(0);
    assert!(matches!(
        classify(value.clone(), Protocol::Resp3).unwrap(),
        Incoming::Reply(_)
    ));
    assert!(!is_pubsub_push(&value));
    assert!(matches!(
        classify(value, Protocol::Resp2).unwrap(),
        Incoming::Message(_)
    ));
    // An error reply on a RESP2 subscribed connection.
    let error = decode_all(b"-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n").remove(0);
    assert!(matches!(
        classify(error.clone(), Protocol::Resp2).unwrap(),
        Incoming::Reply(Value::SimpleError(_))
    ));
    assert!(matches!(Message::from_value(error), Err(Error::Server(_))));
}

#[test]
fn malformed_frames_are_errors() {
    for bytes in [
        &b">2\r\n$7\r\nmessage\r\n$1\r\na\r\n"[..], // no payload
        b">3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n$1\r\nx\r\n", // count not an integer
        b">3\r\n$7\r\nmessage\r\n*0\r\n$1\r\nx\r\n", // channel not a string
    ] {
        let value = decode_all(bytes).remove(0);
        assert!(
            matches!(
                classify(value, Protocol::Resp3),
                Err(Error::Conversion { .. })
            ),
            "{}",
            String::from_utf8_lossy(bytes)
        );
    }
    assert!(Message::parse(Value::Integer(1)).is_err());
    assert!(Message::parse(decode_all(b">1\r\n$9\r\ninvalidat\r\n").remove(0)).is_err());
}

#[test]
fn commands() {
    assert_eq!(written(&subscribe("x")), req(&["SUBSCRIBE", "x"]));
    assert_eq!(
        written(&unsubscribe(vec!["x", "y"])),
        req(&["UNSUBSCRIBE", "x", "y"])
    );
    assert_eq!(
        written(&psubscribe(["a*", "b*"])),
        req(&["PSUBSCRIBE", "a*", "b*"])
    );
    assert_eq!(written(&punsubscribe_all()), req(&["PUNSUBSCRIBE"]));
    assert_eq!(
        written(&ssubscribe(("s1", "s2"))),
        req(&["SSUBSCRIBE", "s1", "s2"])
    );
    assert_eq!(written(&sunsubscribe("s1")), req(&["SUNSUBSCRIBE", "s1"]));
    for kind in [
        MessageKind::Message,
        MessageKind::PMessage,
        MessageKind::SMessage,
        MessageKind::Subscribe,
        MessageKind::Unsubscribe,
        MessageKind::PSubscribe,
        MessageKind::PUnsubscribe,
        MessageKind::SSubscribe,
        MessageKind::SUnsubscribe,
        MessageKind::Pong,
    ] {
        assert_eq!(MessageKind::from_name(kind.as_str().as_bytes()), Some(kind));
    }
}

#[test]
fn shard_channels_resubscribe_per_slot() {
    let mut subs = Subscriptions::new();
    // {user1}... share a slot; "other" hashes elsewhere.
    for (channel, count) in [("{user1}.a", 1), ("{user1}.b", 2), ("other", 3)] {
        subs.apply(&confirmation(MessageKind::SSubscribe, channel, count));
    }
    let cmds: Vec<Vec<u8>> = subs.resubscribe_cmds().iter().map(written).collect();
    assert_eq!(cmds.len(), 2);
    assert!(cmds.contains(&req(&["SSUBSCRIBE", "{user1}.a", "{user1}.b"])));
    assert!(cmds.contains(&req(&["SSUBSCRIBE", "other"])));
    subs.clear();
    assert!(!subs.is_subscribed());
}

#[test]
fn requests_do_not_change_the_state_only_confirmations_do() {
    let mut subs = Subscriptions::new();
    let _ = subscribe("a"); // sent, not yet confirmed
    assert!(!subs.is_subscribed());
    assert!(!subs.apply(&message("a", "x")));
    assert!(!subs.is_subscribed());
    assert!(subs.apply(&confirmation(MessageKind::Subscribe, "a", 1)));
    assert!(subs.is_subscribed());
}
