//! Publish/subscribe against real servers: redis-py's documented sequences (in RESP2 and
//! RESP3), handlers, `ignore_subscribe_messages`, `listen`, `run_in_thread`, health
//! checks, sharded pub/sub, and a server restarted under a subscriber.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use ferrodis_blocking::pubsub::PubSub;
use ferrodis_blocking::{Client, Connection};
use ferrodis_commands::{
    commands, Cmd, Commands, ConnectionConfig, Error, Message, MessageKind, Protocol, Value,
};
use ferrodis_tests::{shared_server, RedisServer};

const WAIT: Duration = Duration::from_secs(5);
const PROTOCOLS: [Protocol; 2] = [Protocol::Resp2, Protocol::Resp3];

/// A name no other test (or run) uses.
fn unique(prefix: &str) -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    format!(
        "pubsub-test:{prefix}:{}:{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

fn client_for(url: &str, protocol: Protocol) -> Client {
    let config = ConnectionConfig::from_url(url).unwrap().protocol(protocol);
    Client::open(config).unwrap()
}

fn shared_client(protocol: Protocol) -> Client {
    client_for(&shared_server().url(), protocol)
}

/// The next message, which must come within [`WAIT`].
fn next_message(pubsub: &mut PubSub) -> Message {
    let deadline = Instant::now() + WAIT;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(!left.is_zero(), "no message within {WAIT:?}");
        if let Some(message) = pubsub.get_message(Some(left)).unwrap() {
            return message;
        }
    }
}

fn assert_confirmation(message: &Message, kind: MessageKind, channel: &str, count: i64) {
    assert_eq!(message.kind, kind, "{message:?}");
    assert_eq!(message.channel, channel.as_bytes(), "{message:?}");
    assert_eq!(message.count, Some(count), "{message:?}");
    assert_eq!(message.pattern, None);
    assert_eq!(message.payload, None);
}

/// Publishes until someone receives it (a subscription made in another thread may not be
/// in effect yet); returns the number of receivers.
fn publish_until_received(client: &Client, channel: &str, payload: &str) -> i64 {
    let deadline = Instant::now() + WAIT;
    loop {
        let receivers: i64 = client.publish(channel, payload).unwrap();
        if receivers > 0 {
            return receivers;
        }
        assert!(Instant::now() < deadline, "nobody subscribed to {channel}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// redis-py's walk-through: confirmations 1, 2, 3; a publish matched by a channel and a
/// pattern returns 2 and arrives as `message` then `pmessage`; unsubscribing counts 2,
/// 1, 0.
#[test]
fn redis_py_sequence_in_both_protocols() {
    for protocol in PROTOCOLS {
        let client = shared_client(protocol);
        let base = unique(&format!("seq-{}", protocol.version()));
        let first = format!("{base}:my-first-channel");
        let second = format!("{base}:my-second-channel");
        let pattern = format!("{base}:my-*");

        let mut p = client.pubsub().unwrap();
        assert_eq!(p.protocol(), Some(protocol));
        p.subscribe((first.as_str(), second.as_str())).unwrap();
        p.psubscribe(pattern.as_str()).unwrap();
        assert_confirmation(&next_message(&mut p), MessageKind::Subscribe, &first, 1);
        assert_confirmation(&next_message(&mut p), MessageKind::Subscribe, &second, 2);
        assert_confirmation(&next_message(&mut p), MessageKind::PSubscribe, &pattern, 3);
        assert_eq!(p.subscriptions().len(), 3);

        let receivers: i64 = client.publish(first.as_str(), "some data").unwrap();
        assert_eq!(receivers, 2, "the channel and the pattern");
        let message = next_message(&mut p);
        assert_eq!(message.kind, MessageKind::Message);
        assert_eq!(message.channel, first.as_bytes());
        assert_eq!(message.payload.as_deref(), Some(&b"some data"[..]));
        assert_eq!(message.pattern, None);
        let pmessage = next_message(&mut p);
        assert_eq!(pmessage.kind, MessageKind::PMessage);
        assert_eq!(pmessage.channel, first.as_bytes());
        assert_eq!(pmessage.pattern.as_deref(), Some(pattern.as_bytes()));
        assert_eq!(pmessage.payload.as_deref(), Some(&b"some data"[..]));

        // `unsubscribe()` with no arguments: every channel (in the server's order).
        p.unsubscribe_all().unwrap();
        p.punsubscribe(pattern.as_str()).unwrap();
        let a = next_message(&mut p);
        let b = next_message(&mut p);
        assert_eq!((a.kind, a.count), (MessageKind::Unsubscribe, Some(2)));
        assert_eq!((b.kind, b.count), (MessageKind::Unsubscribe, Some(1)));
        let channels: BTreeSet<Bytes> = [a.channel, b.channel].into();
        let expected: BTreeSet<Bytes> = [
            Bytes::from(first.clone().into_bytes()),
            Bytes::from(second.clone().into_bytes()),
        ]
        .into();
        assert_eq!(channels, expected);
        assert_confirmation(
            &next_message(&mut p),
            MessageKind::PUnsubscribe,
            &pattern,
            0,
        );
        assert!(!p.is_subscribed());
        assert!(p.subscriptions().is_empty());

        // Nothing left: a publish reaches nobody, and nothing arrives.
        let receivers: i64 = client.publish(first.as_str(), "lost").unwrap();
        assert_eq!(receivers, 0);
        assert_eq!(
            p.get_message(Some(Duration::from_millis(50))).unwrap(),
            None
        );
    }
}

/// An empty unsubscribe list means "all", as `unsubscribe()` in redis-py.
#[test]
fn unsubscribe_with_no_names_means_all() {
    for protocol in PROTOCOLS {
        let client = shared_client(protocol);
        let a = unique("all-a");
        let b = unique("all-b");
        let mut p = client.pubsub().unwrap();
        p.subscribe([a.as_str(), b.as_str()]).unwrap();
        next_message(&mut p);
        next_message(&mut p);
        p.unsubscribe(&[] as &[&str]).unwrap();
        let counts = [next_message(&mut p).count, next_message(&mut p).count];
        assert_eq!(counts, [Some(1), Some(0)]);
        assert!(p.subscriptions().is_empty());
    }
}

/// A handler takes its channel's messages: `get_message` returns `None` for them.
#[test]
fn handler_takes_its_messages() {
    for protocol in PROTOCOLS {
        let client = shared_client(protocol);
        let channel = unique("handler");
        let plain = unique("plain");
        let pattern_base = unique("handled-pattern");
        let pattern = format!("{pattern_base}:*");
        let seen = Arc::new(Mutex::new(Vec::<Message>::new()));

        let mut p = client.pubsub().unwrap();
        let sink = Arc::clone(&seen);
        p.subscribe_with(channel.as_str(), move |m| sink.lock().unwrap().push(m))
            .unwrap();
        let sink = Arc::clone(&seen);
        p.psubscribe_with(pattern.as_str(), move |m| sink.lock().unwrap().push(m))
            .unwrap();
        p.subscribe(plain.as_str()).unwrap();
        // The confirmations are still returned.
        assert_confirmation(&next_message(&mut p), MessageKind::Subscribe, &channel, 1);
        assert_confirmation(&next_message(&mut p), MessageKind::PSubscribe, &pattern, 2);
        assert_confirmation(&next_message(&mut p), MessageKind::Subscribe, &plain, 3);

        let receivers: i64 = client.publish(channel.as_str(), "awesome data").unwrap();
        assert_eq!(receivers, 1);
        // The message arrives, goes to the handler, and is not returned.
        assert_eq!(p.get_message(Some(WAIT)).unwrap(), None);
        {
            let seen = seen.lock().unwrap();
            assert_eq!(seen.len(), 1);
            assert_eq!(seen[0].kind, MessageKind::Message);
            assert_eq!(seen[0].payload.as_deref(), Some(&b"awesome data"[..]));
        }

        let matched = format!("{pattern_base}:x");
        let receivers: i64 = client.publish(matched.as_str(), "by pattern").unwrap();
        assert_eq!(receivers, 1);
        assert_eq!(p.get_message(Some(WAIT)).unwrap(), None);
        {
            let seen = seen.lock().unwrap();
            assert_eq!(seen.len(), 2);
            assert_eq!(seen[1].kind, MessageKind::PMessage);
            assert_eq!(seen[1].channel, matched.as_bytes());
        }

        // A channel without a handler: returned as usual.
        let _: i64 = client.publish(plain.as_str(), "for the reader").unwrap();
        let message = next_message(&mut p);
        assert_eq!(message.channel, plain.as_bytes());
        assert_eq!(seen.lock().unwrap().len(), 2);
    }
}

/// `ignore_subscribe_messages`: confirmations update the state but are not returned.
#[test]
fn ignore_subscribe_messages_hides_confirmations() {
    for protocol in PROTOCOLS {
        let client = shared_client(protocol);
        let channel = unique("ignore");
        let mut p = client.pubsub().unwrap().ignore_subscribe_messages(true);
        p.subscribe(channel.as_str()).unwrap();
        // Reads (and hides) the confirmation.
        let deadline = Instant::now() + WAIT;
        while p.subscriptions().is_empty() {
            assert_eq!(
                p.get_message(Some(Duration::from_millis(100))).unwrap(),
                None
            );
            assert!(Instant::now() < deadline);
        }
        let receivers: i64 = client.publish(channel.as_str(), "my data").unwrap();
        assert_eq!(receivers, 1);
        let message = next_message(&mut p);
        assert_eq!(message.kind, MessageKind::Message);
        assert_eq!(message.payload.as_deref(), Some(&b"my data"[..]));

        p.unsubscribe(channel.as_str()).unwrap();
        let deadline = Instant::now() + WAIT;
        while p.is_subscribed() {
            assert_eq!(
                p.get_message(Some(Duration::from_millis(100))).unwrap(),
                None
            );
            assert!(Instant::now() < deadline);
        }
    }
}

/// `get_message` with a timeout returns `None` in time, and the connection goes on.
#[test]
fn get_message_times_out_and_stays_usable() {
    for protocol in PROTOCOLS {
        let client = shared_client(protocol);
        let channel = unique("timeout");
        let mut p = client.pubsub().unwrap();
        p.subscribe(channel.as_str()).unwrap();
        next_message(&mut p);

        let started = Instant::now();
        assert_eq!(
            p.get_message(Some(Duration::from_millis(150))).unwrap(),
            None
        );
        let waited = started.elapsed();
        assert!(waited >= Duration::from_millis(140), "{waited:?}");
        assert!(waited < Duration::from_secs(2), "{waited:?}");
        // Zero: a poll.
        assert_eq!(p.get_message(Some(Duration::ZERO)).unwrap(), None);

        let _: i64 = client
            .publish(channel.as_str(), "after the timeout")
            .unwrap();
        let message = next_message(&mut p);
        assert_eq!(message.payload.as_deref(), Some(&b"after the timeout"[..]));
    }
}

/// `listen()` yields every message, and ends once nothing is subscribed.
#[test]
fn listen_iterates_until_unsubscribed() {
    for protocol in PROTOCOLS {
        let client = shared_client(protocol);
        let channel = unique("listen");
        let mut p = client.pubsub().unwrap();
        p.subscribe(channel.as_str()).unwrap();
        let first = p.listen().next().unwrap().unwrap();
        assert_confirmation(&first, MessageKind::Subscribe, &channel, 1);
        for i in 0..3 {
            let _: i64 = client.publish(channel.as_str(), i).unwrap();
        }
        let payloads: Vec<Bytes> = p
            .listen()
            .take(3)
            .map(|m| m.unwrap().payload.unwrap())
            .collect();
        assert_eq!(payloads, [&b"0"[..], b"1", b"2"]);

        p.unsubscribe(channel.as_str()).unwrap();
        let rest: Vec<Message> = p.listen().map(Result::unwrap).collect();
        assert_eq!(rest.len(), 1, "{rest:?}");
        assert_confirmation(&rest[0], MessageKind::Unsubscribe, &channel, 0);
    }
}

/// `run_in_thread`: a thread hands messages to the handlers until stopped; `join` gives
/// the `PubSub` back.
#[test]
fn run_in_thread_dispatches_until_stopped() {
    for protocol in PROTOCOLS {
        let client = shared_client(protocol);
        let channel = unique("thread");
        let pattern_base = unique("thread-pattern");
        let pattern = format!("{pattern_base}:*");
        let (tx, rx) = mpsc::channel::<Message>();

        let mut p = client.pubsub().unwrap();
        let sender = tx.clone();
        p.subscribe_with(channel.as_str(), move |m| sender.send(m).unwrap())
            .unwrap();
        p.psubscribe_with(pattern.as_str(), move |m| tx.send(m).unwrap())
            .unwrap();
        let thread = p.run_in_thread(Duration::from_millis(10)).unwrap();

        assert_eq!(publish_until_received(&client, &channel, "one"), 1);
        let message = rx.recv_timeout(WAIT).unwrap();
        assert_eq!(message.kind, MessageKind::Message);
        assert_eq!(message.payload.as_deref(), Some(&b"one"[..]));
        let matched = format!("{pattern_base}:yes");
        assert_eq!(publish_until_received(&client, &matched, "two"), 1);
        let message = rx.recv_timeout(WAIT).unwrap();
        assert_eq!(message.kind, MessageKind::PMessage);
        assert_eq!(message.channel, matched.as_bytes());

        assert!(!thread.is_finished());
        let stopped = Instant::now();
        thread.stop();
        let p = thread.join().unwrap();
        assert!(stopped.elapsed() < Duration::from_secs(2));
        assert_eq!(p.subscriptions().len(), 2);
        assert!(p
            .subscriptions()
            .channels()
            .any(|c| c == channel.as_bytes()));
    }
}

/// As redis-py, `run_in_thread` refuses while a channel or pattern has no handler, with a
/// typed error naming it.
#[test]
fn run_in_thread_refuses_subscriptions_without_handler() {
    let client = shared_client(Protocol::Resp3);
    let handled = unique("refuse-handled");
    let bare = unique("refuse-bare");
    let mut p = client.pubsub().unwrap();
    p.subscribe_with(handled.as_str(), |_| {}).unwrap();
    p.subscribe(bare.as_str()).unwrap();
    let err = p.check_handlers().unwrap_err();
    match &err {
        Error::PubSub { message } => assert!(message.contains(&bare), "{message}"),
        other => panic!("expected a PubSub error, got {other:?}"),
    }
    let err = p.run_in_thread(Duration::from_millis(10)).unwrap_err();
    assert!(
        matches!(&err, Error::PubSub { message } if message.contains(&bare)),
        "{err}"
    );

    // A pattern without a handler, confirmed already.
    let pattern = format!("{}:*", unique("refuse-pattern"));
    let mut p = client.pubsub().unwrap();
    p.psubscribe(pattern.as_str()).unwrap();
    assert_confirmation(&next_message(&mut p), MessageKind::PSubscribe, &pattern, 1);
    let err = p.run_in_thread(Duration::from_millis(10)).unwrap_err();
    assert!(
        matches!(&err, Error::PubSub { message } if message.contains(&pattern) && message.contains("pattern")),
        "{err}"
    );

    // Subscribing again without a handler removes the handler, as in redis-py.
    let channel = unique("refuse-again");
    let mut p = client.pubsub().unwrap();
    p.subscribe_with(channel.as_str(), |_| {}).unwrap();
    p.check_handlers().unwrap();
    p.subscribe(channel.as_str()).unwrap();
    assert!(p.check_handlers().is_err());
}

/// Without an error handler the thread stops on the first error and `join` returns it;
/// with one, the handler is called with the error and decides.
#[test]
fn run_in_thread_errors() {
    let mut server = RedisServer::builder().start().unwrap();
    let client = client_for(&server.url(), Protocol::Resp3);

    let mut p = client.pubsub().unwrap();
    p.subscribe_with(unique("err-plain").as_str(), |_| {})
        .unwrap();
    let plain = p.run_in_thread(Duration::from_millis(10)).unwrap();

    let errors = Arc::new(Mutex::new(Vec::<Error>::new()));
    let mut p = client.pubsub().unwrap();
    p.subscribe_with(unique("err-handled").as_str(), |_| {})
        .unwrap();
    let sink = Arc::clone(&errors);
    let handled = p
        .run_in_thread_with_error_handler(Duration::from_millis(10), move |e| {
            let mut errors = sink.lock().unwrap();
            errors.push(e.clone());
            // Keep going twice (it reconnects, fails, and tells us again), then stop.
            if errors.len() < 3 {
                ControlFlow::Continue(())
            } else {
                ControlFlow::Break(())
            }
        })
        .unwrap();

    std::thread::sleep(Duration::from_millis(100));
    server.stop();

    let err = plain.join().unwrap_err();
    assert!(matches!(err, Error::Io { .. }), "{err:?}");
    let p = handled.join().unwrap();
    let errors = errors.lock().unwrap();
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert!(
        errors.iter().all(|e| matches!(e, Error::Io { .. })),
        "{errors:?}"
    );
    drop(p);
}

/// A handler that panics ends the thread; `join` reports it as a PubSub error.
#[test]
fn run_in_thread_handler_panic_is_reported() {
    let client = shared_client(Protocol::Resp3);
    let channel = unique("panic");
    let mut p = client.pubsub().unwrap();
    p.subscribe_with(channel.as_str(), |_| panic!("handler exploded"))
        .unwrap();
    let thread = p.run_in_thread(Duration::from_millis(10)).unwrap();
    publish_until_received(&client, &channel, "boom");
    let err = thread.join().unwrap_err();
    assert!(
        matches!(&err, Error::PubSub { message } if message.contains("handler exploded")),
        "{err}"
    );
}

/// PING while subscribed: RESP2 answers with a `pong` frame, RESP3 with `PONG`; neither
/// is returned as a message, and messages that arrive meanwhile are kept.
#[test]
fn health_check_while_subscribed() {
    for protocol in PROTOCOLS {
        let client = shared_client(protocol);
        let channel = unique("health");
        let mut p = client.pubsub().unwrap();
        // Not subscribed yet: a plain PONG in RESP2 as well.
        p.ping().unwrap();
        p.subscribe(channel.as_str()).unwrap();
        p.ping().unwrap();
        p.check_health().unwrap();
        // The confirmation read while waiting for the pongs is kept for the reader.
        assert_confirmation(&next_message(&mut p), MessageKind::Subscribe, &channel, 1);

        let _: i64 = client.publish(channel.as_str(), "before the ping").unwrap();
        p.ping().unwrap();
        let message = next_message(&mut p);
        assert_eq!(message.payload.as_deref(), Some(&b"before the ping"[..]));
        assert_eq!(
            p.get_message(Some(Duration::from_millis(50))).unwrap(),
            None
        );

        // With an interval, reading pings on its own when idle; no pong surfaces.
        let mut p = p.health_check_interval(Some(Duration::from_millis(50)));
        assert_eq!(
            p.get_message(Some(Duration::from_millis(300))).unwrap(),
            None
        );
        p.check_health().unwrap();
        let _: i64 = client.publish(channel.as_str(), "still here").unwrap();
        let message = next_message(&mut p);
        assert_eq!(message.payload.as_deref(), Some(&b"still here"[..]));
        assert_eq!(p.reconnects(), 0);
    }
}

/// Sharded pub/sub (Redis 7) on a standalone server: SSUBSCRIBE, SPUBLISH, SUNSUBSCRIBE.
#[test]
fn sharded_pubsub() {
    for protocol in PROTOCOLS {
        let client = shared_client(protocol);
        let channel = unique("shard");
        let handled = unique("shard-handled");
        let seen = Arc::new(AtomicUsize::new(0));
        let mut p = client.pubsub().unwrap();
        p.ssubscribe(channel.as_str()).unwrap();
        assert_confirmation(&next_message(&mut p), MessageKind::SSubscribe, &channel, 1);
        let counter = Arc::clone(&seen);
        p.ssubscribe_with(handled.as_str(), move |m| {
            assert_eq!(m.kind, MessageKind::SMessage);
            counter.fetch_add(1, Ordering::SeqCst);
        })
        .unwrap();
        assert_confirmation(&next_message(&mut p), MessageKind::SSubscribe, &handled, 2);
        assert_eq!(p.subscriptions().shard_channels().count(), 2);

        let shard_channels: Vec<Bytes> = client.pubsub_shardchannels().unwrap();
        assert!(shard_channels.iter().any(|c| c == channel.as_bytes()));

        let receivers: i64 = client.spublish(channel.as_str(), "sharded").unwrap();
        assert_eq!(receivers, 1);
        let message = next_message(&mut p);
        assert_eq!(message.kind, MessageKind::SMessage);
        assert_eq!(message.channel, channel.as_bytes());
        assert_eq!(message.payload.as_deref(), Some(&b"sharded"[..]));

        let _: i64 = client.spublish(handled.as_str(), "to the handler").unwrap();
        assert_eq!(p.get_message(Some(WAIT)).unwrap(), None);
        assert_eq!(seen.load(Ordering::SeqCst), 1);

        p.sunsubscribe_all().unwrap();
        let counts = [next_message(&mut p).count, next_message(&mut p).count];
        assert_eq!(counts, [Some(1), Some(0)]);
        assert!(!p.is_subscribed());
    }
}

/// PUBSUB CHANNELS / NUMSUB / NUMPAT / SHARDNUMSUB see the subscriptions.
#[test]
fn pubsub_introspection() {
    let client = shared_client(Protocol::Resp3);
    let channel = unique("introspect");
    let pattern = format!("{}:*", unique("introspect-pattern"));
    let shard = unique("introspect-shard");
    let mut p = client.pubsub().unwrap();
    p.subscribe(channel.as_str()).unwrap();
    p.psubscribe(pattern.as_str()).unwrap();
    p.ssubscribe(shard.as_str()).unwrap();
    for _ in 0..3 {
        next_message(&mut p);
    }

    let channels: Vec<Bytes> = client.pubsub_channels().unwrap();
    assert!(channels.iter().any(|c| c == channel.as_bytes()));
    let numsub = client
        .query(commands::pubsub_numsub().arg([channel.as_str(), "pubsub-test:nobody"]))
        .unwrap();
    assert_eq!(
        numsub,
        [
            (Bytes::from(channel.clone().into_bytes()), 1),
            (Bytes::from_static(b"pubsub-test:nobody"), 0)
        ]
    );
    let numpat: i64 = client.pubsub_numpat().unwrap();
    assert!(numpat >= 1);
    let shardnumsub = client
        .query(commands::pubsub_shardnumsub().arg(shard.as_str()))
        .unwrap();
    assert_eq!(shardnumsub, [(Bytes::from(shard.clone().into_bytes()), 1)]);
}

/// `close()` drops the connection and forgets everything; the server sees the
/// subscriber go.
#[test]
fn close_forgets_everything() {
    let client = shared_client(Protocol::Resp2);
    let channel = unique("close");
    let mut p = client.pubsub().unwrap();
    p.subscribe_with(channel.as_str(), |_| {}).unwrap();
    // The handler's confirmation arrives.
    next_message(&mut p);
    p.close();
    assert!(!p.is_subscribed());
    assert_eq!(p.protocol(), None);
    let deadline = Instant::now() + WAIT;
    loop {
        let receivers: i64 = client.publish(channel.as_str(), "anyone?").unwrap();
        if receivers == 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the closed subscriber is still there"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    // Usable again: a new connection.
    p.subscribe(channel.as_str()).unwrap();
    assert_confirmation(&next_message(&mut p), MessageKind::Subscribe, &channel, 1);
    assert_eq!(p.reconnects(), 0);
}

/// The server restarts under a subscriber: the next read reconnects, subscribes again to
/// every channel, pattern and shard channel, tells the caller, and new messages arrive.
#[test]
fn reconnects_and_resubscribes_after_server_restart() {
    for protocol in PROTOCOLS {
        let mut server = RedisServer::builder().start().unwrap();
        let url = server.url();
        let client = client_for(&url, protocol);
        let notices = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&notices);
        let mut p = client
            .pubsub()
            .unwrap()
            .on_reconnect(move |notice| sink.lock().unwrap().push(notice.clone()));
        let handled = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&handled);
        p.subscribe("news").unwrap();
        p.psubscribe("weather:*").unwrap();
        p.ssubscribe("shard-news").unwrap();
        p.subscribe_with("handled", move |_| {
            counter.fetch_add(1, Ordering::SeqCst);
        })
        .unwrap();
        for _ in 0..4 {
            assert!(next_message(&mut p).kind.is_confirmation());
        }

        server.restart().unwrap();

        // The confirmations of the new subscriptions come as messages.
        let mut confirmed = Vec::new();
        while confirmed.len() < 4 {
            let message = next_message(&mut p);
            assert!(message.kind.is_confirmation(), "{message:?}");
            confirmed.push((message.kind.as_str(), message.channel));
        }
        confirmed.sort();
        assert_eq!(
            confirmed,
            [
                ("psubscribe", Bytes::from_static(b"weather:*")),
                ("ssubscribe", Bytes::from_static(b"shard-news")),
                ("subscribe", Bytes::from_static(b"handled")),
                ("subscribe", Bytes::from_static(b"news")),
            ]
        );
        assert_eq!(p.reconnects(), 1);
        {
            let notices = notices.lock().unwrap();
            assert_eq!(notices.len(), 1);
            assert_eq!(notices[0].reconnects, 1);
            assert_eq!(notices[0].resubscribed.len(), 4);
        }
        assert_eq!(p.subscriptions().len(), 4);

        // A fresh client publishes (the first one's pooled connections died too).
        let publisher = client_for(&url, protocol);
        let receivers: i64 = publisher.publish("news", "after the restart").unwrap();
        assert_eq!(receivers, 1);
        let message = next_message(&mut p);
        assert_eq!(
            (message.kind, message.channel.as_ref()),
            (MessageKind::Message, &b"news"[..])
        );
        assert_eq!(message.payload.as_deref(), Some(&b"after the restart"[..]));
        let _: i64 = publisher.publish("weather:today", "sunny").unwrap();
        assert_eq!(next_message(&mut p).kind, MessageKind::PMessage);
        let _: i64 = publisher.spublish("shard-news", "sharded").unwrap();
        assert_eq!(next_message(&mut p).kind, MessageKind::SMessage);
        let _: i64 = publisher.publish("handled", "to the handler").unwrap();
        assert_eq!(p.get_message(Some(WAIT)).unwrap(), None);
        assert_eq!(handled.load(Ordering::SeqCst), 1);
    }
}

/// A health check notices a dead connection and replaces it (resubscribing).
#[test]
fn check_health_reconnects_a_dead_connection() {
    let mut server = RedisServer::builder().start().unwrap();
    let client = client_for(&server.url(), Protocol::Resp2);
    let mut p = client.pubsub().unwrap().ignore_subscribe_messages(true);
    p.subscribe("alive").unwrap();
    p.check_health().unwrap();
    assert_eq!(p.subscriptions().len(), 1);
    server.restart().unwrap();
    p.check_health().unwrap();
    assert_eq!(p.reconnects(), 1);
    // The confirmation of the resubscription was read while waiting for the pong.
    assert_eq!(p.subscriptions().len(), 1);
    let publisher = client_for(&server.url(), Protocol::Resp2);
    let receivers: i64 = publisher.publish("alive", "yes").unwrap();
    assert_eq!(receivers, 1);
    assert_eq!(next_message(&mut p).payload.as_deref(), Some(&b"yes"[..]));
}

/// While the server is down, reads fail with an IO error; once it is back, the next read
/// reconnects.
#[test]
fn reads_fail_while_the_server_is_down_then_recover() {
    let mut server = RedisServer::builder().start().unwrap();
    let client = client_for(&server.url(), Protocol::Resp3);
    let mut p = client.pubsub().unwrap().ignore_subscribe_messages(true);
    p.subscribe("down").unwrap();
    p.ping().unwrap();
    server.stop();
    let err = p.get_message(Some(Duration::from_millis(200))).unwrap_err();
    assert!(matches!(err, Error::Io { .. }), "{err:?}");
    let err = p.get_message(Some(Duration::from_millis(200))).unwrap_err();
    assert!(matches!(err, Error::Io { .. }), "{err:?}");
    server.restart().unwrap();
    assert_eq!(
        p.get_message(Some(Duration::from_millis(500))).unwrap(),
        None
    );
    assert_eq!(p.reconnects(), 1);
    let publisher = client_for(&server.url(), Protocol::Resp3);
    let receivers: i64 = publisher.publish("down", "up again").unwrap();
    assert_eq!(receivers, 1);
    assert_eq!(
        next_message(&mut p).payload.as_deref(),
        Some(&b"up again"[..])
    );
}

/// RESP3: a push that is not pub/sub (a client-tracking invalidation redirected to the
/// subscriber) is not taken for a message; it goes to the `on_push` callback.
#[test]
fn resp3_invalidation_push_is_not_a_message() {
    let server = shared_server();
    let client = shared_client(Protocol::Resp3);
    let channel = unique("tracking");
    let key = unique("tracked-key");
    let pushes = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&pushes);
    let mut p = client
        .pubsub()
        .unwrap()
        .on_push(move |push| sink.lock().unwrap().push(push));
    p.subscribe(channel.as_str()).unwrap();
    next_message(&mut p);
    let id = p.client_id().expect("RESP3 tells the connection id");

    // Another connection tracks keys and sends the invalidations to the subscriber.
    let config = ConnectionConfig::from_url(&server.url()).unwrap();
    let mut tracker = Connection::open(&config).unwrap();
    tracker
        .query::<()>(
            &Cmd::new("CLIENT")
                .arg("TRACKING")
                .arg("ON")
                .arg("REDIRECT")
                .arg(id),
        )
        .unwrap();
    let _: Option<Bytes> = tracker.query(&Cmd::new("GET").arg(key.as_str())).unwrap();
    let _: () = client.set(key.as_str(), "changed").unwrap();

    let deadline = Instant::now() + WAIT;
    while pushes.lock().unwrap().is_empty() {
        assert_eq!(
            p.get_message(Some(Duration::from_millis(100))).unwrap(),
            None
        );
        assert!(Instant::now() < deadline, "no invalidation arrived");
    }
    let push = pushes.lock().unwrap()[0].clone();
    let Value::Push(items) = push else {
        panic!("{push:?}")
    };
    assert_eq!(
        items[0],
        Value::BulkString(Bytes::from_static(b"invalidate"))
    );
    assert_eq!(
        items[1],
        Value::Array(vec![Value::BulkString(Bytes::from(
            key.clone().into_bytes()
        ))])
    );

    // Messages still arrive as messages.
    let _: i64 = client.publish(channel.as_str(), "after the push").unwrap();
    assert_eq!(
        next_message(&mut p).payload.as_deref(),
        Some(&b"after the push"[..])
    );
}

/// With a health-check interval, an idle reader PINGs the server on its own (seen by a
/// monitor), and no pong surfaces as a message.
#[test]
fn health_check_interval_pings_an_idle_connection() {
    for protocol in PROTOCOLS {
        let server = RedisServer::builder().start().unwrap();
        let client = client_for(&server.url(), protocol);
        let mut monitor = client.monitor().unwrap();
        let mut p = client
            .pubsub()
            .unwrap()
            .health_check_interval(Some(Duration::from_millis(50)));
        p.subscribe("idle").unwrap();
        assert_eq!(next_message(&mut p).kind, MessageKind::Subscribe);
        let started = Instant::now();
        while started.elapsed() < Duration::from_millis(400) {
            assert_eq!(
                p.get_message(Some(Duration::from_millis(400))).unwrap(),
                None
            );
        }
        let mut pings = 0;
        while let Some(event) = monitor.next_timeout(Duration::from_millis(200)).unwrap() {
            if event.command[0].eq_ignore_ascii_case(b"PING") {
                pings += 1;
            }
        }
        assert!(
            pings >= 3,
            "{pings} PINGs in 400ms with an interval of 50ms"
        );
        assert_eq!(p.reconnects(), 0);
    }
}

/// (Un)subscriptions requested while the connection is dead (not noticed yet) are not
/// lost: the reconnect restores what was confirmed, then applies them.
#[test]
fn requests_made_while_disconnected_are_restored() {
    for protocol in PROTOCOLS {
        let mut server = RedisServer::builder().start().unwrap();
        let client = client_for(&server.url(), protocol);
        let mut p = client.pubsub().unwrap().ignore_subscribe_messages(true);
        p.subscribe(("old", "kept")).unwrap();
        p.ping().unwrap();
        assert_eq!(p.subscriptions().len(), 2);

        server.restart().unwrap();
        p.unsubscribe("old").unwrap();
        p.subscribe("new").unwrap();
        // Reading notices the drop, reconnects and settles.
        let deadline = Instant::now() + WAIT;
        loop {
            let _ = p.get_message(Some(Duration::from_millis(50)));
            let channels: Vec<&Bytes> = p.subscriptions().channels().collect();
            if p.reconnects() == 1 && channels == [&b"kept"[..], &b"new"[..]] {
                break;
            }
            assert!(Instant::now() < deadline, "{:?}", p.subscriptions());
        }
        let publisher = client_for(&server.url(), protocol);
        let to_old: i64 = publisher.publish("old", "x").unwrap();
        let to_new: i64 = publisher.publish("new", "y").unwrap();
        assert_eq!((to_old, to_new), (0, 1));
        assert_eq!(next_message(&mut p).payload.as_deref(), Some(&b"y"[..]));
    }
}
