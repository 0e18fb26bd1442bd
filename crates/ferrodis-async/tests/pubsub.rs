//! Publish/subscribe against real servers, on tokio and on async-std: aredis's documented
//! sequences (in RESP2 and RESP3), handlers, `ignore_subscribe_messages`, streams,
//! `run_in_background`, health checks, sharded pub/sub, cancellation, and servers
//! restarted (or connections killed) under a subscriber.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeSet;
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use ferrodis_async::pubsub::PubSub;
use ferrodis_async::{runtime, Client, Connection};
use ferrodis_commands::{
    AsyncCommands, Cmd, ConnectionConfig, Error, Message, MessageKind, Protocol, Value,
};
use ferrodis_tests::{shared_server, RedisServer};
use futures_util::StreamExt;

const WAIT: Duration = Duration::from_secs(5);
const PROTOCOLS: [Protocol; 2] = [Protocol::Resp2, Protocol::Resp3];

/// A name no other test (or runtime, or run) uses.
fn unique(prefix: &str) -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    common::key(&format!(
        "pubsub-test:{prefix}:{}",
        N.fetch_add(1, Ordering::Relaxed)
    ))
}

fn client_for(url: &str, protocol: Protocol) -> Client {
    let config = ConnectionConfig::from_url(url).unwrap().protocol(protocol);
    Client::open(config).unwrap()
}

fn shared_client(protocol: Protocol) -> Client {
    client_for(&shared_server().url(), protocol)
}

async fn sleep(duration: Duration) {
    runtime::sleep(&*common::runtime(), duration).await;
}

/// The next message, which must come within [`WAIT`].
async fn next_message(pubsub: &mut PubSub) -> Message {
    let deadline = Instant::now() + WAIT;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(!left.is_zero(), "no message within {WAIT:?}");
        if let Some(message) = pubsub.get_message(Some(left)).await.unwrap() {
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

/// Publishes until someone receives it (a subscription made by another task may not be
/// in effect yet); returns the number of receivers.
async fn publish_until_received(client: &Client, channel: &str, payload: &str) -> i64 {
    let deadline = Instant::now() + WAIT;
    loop {
        let receivers: i64 = client.publish(channel, payload).await.unwrap();
        if receivers > 0 {
            return receivers;
        }
        assert!(Instant::now() < deadline, "nobody subscribed to {channel}");
        sleep(Duration::from_millis(5)).await;
    }
}

/// Waits until `done` holds, for at most [`WAIT`].
async fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + WAIT;
    while !done() {
        assert!(Instant::now() < deadline, "{what}: not within {WAIT:?}");
        sleep(Duration::from_millis(5)).await;
    }
}

fn assert_send<T: Send>(_: &T) {}

runtime_tests! {
    /// aredis's walk-through (the seed's "Publish / Subscribe" section): confirmations 1,
    /// 2, 3; a publish matched by a channel and a pattern returns 2 and arrives as
    /// `message` then `pmessage`; `unsubscribe()` + `punsubscribe('my-*')` count 2, 1, 0.
    /// (aredis's docs show the two channel confirmations in either order: Python kwargs;
    /// the server confirms in argument order.)
    async fn aredis_sequence_in_both_protocols() {
        for protocol in PROTOCOLS {
            let client = shared_client(protocol);
            let base = unique(&format!("seq-{}", protocol.version()));
            let first = format!("{base}:my-first-channel");
            let second = format!("{base}:my-second-channel");
            let pattern = format!("{base}:my-*");

            let mut p = client.pubsub().await.unwrap();
            assert_eq!(p.protocol(), Some(protocol));
            p.subscribe((first.as_str(), second.as_str())).await.unwrap();
            p.psubscribe(pattern.as_str()).await.unwrap();
            assert_confirmation(&next_message(&mut p).await, MessageKind::Subscribe, &first, 1);
            assert_confirmation(&next_message(&mut p).await, MessageKind::Subscribe, &second, 2);
            assert_confirmation(&next_message(&mut p).await, MessageKind::PSubscribe, &pattern, 3);
            assert_eq!(p.subscriptions().len(), 3);

            let receivers: i64 = client.publish(first.as_str(), "some data").await.unwrap();
            assert_eq!(receivers, 2, "the channel and the pattern");
            let message = next_message(&mut p).await;
            assert_eq!(message.kind, MessageKind::Message);
            assert_eq!(message.channel, first.as_bytes());
            assert_eq!(message.payload.as_deref(), Some(&b"some data"[..]));
            assert_eq!(message.pattern, None);
            let pmessage = next_message(&mut p).await;
            assert_eq!(pmessage.kind, MessageKind::PMessage);
            assert_eq!(pmessage.channel, first.as_bytes());
            assert_eq!(pmessage.pattern.as_deref(), Some(pattern.as_bytes()));
            assert_eq!(pmessage.payload.as_deref(), Some(&b"some data"[..]));

            // `unsubscribe()` with no arguments: every channel (in the server's order).
            p.unsubscribe_all().await.unwrap();
            p.punsubscribe(pattern.as_str()).await.unwrap();
            let a = next_message(&mut p).await;
            let b = next_message(&mut p).await;
            assert_eq!((a.kind, a.count), (MessageKind::Unsubscribe, Some(2)));
            assert_eq!((b.kind, b.count), (MessageKind::Unsubscribe, Some(1)));
            let channels: BTreeSet<Bytes> = [a.channel, b.channel].into();
            let expected: BTreeSet<Bytes> = [
                Bytes::from(first.clone().into_bytes()),
                Bytes::from(second.clone().into_bytes()),
            ]
            .into();
            assert_eq!(channels, expected);
            let last = next_message(&mut p).await;
            assert_confirmation(&last, MessageKind::PUnsubscribe, &pattern, 0);
            assert!(!p.is_subscribed());
            assert!(p.subscriptions().is_empty());

            // Nothing left: a publish reaches nobody, and nothing arrives.
            let receivers: i64 = client.publish(first.as_str(), "lost").await.unwrap();
            assert_eq!(receivers, 0);
            assert_eq!(p.get_message(Some(Duration::from_millis(50))).await.unwrap(), None);
        }
    }

    /// An empty unsubscribe list means "all", as `unsubscribe()` in aredis.
    async fn unsubscribe_with_no_names_means_all() {
        for protocol in PROTOCOLS {
            let client = shared_client(protocol);
            let a = unique("all-a");
            let b = unique("all-b");
            let mut p = client.pubsub().await.unwrap();
            p.subscribe([a.as_str(), b.as_str()]).await.unwrap();
            next_message(&mut p).await;
            next_message(&mut p).await;
            p.unsubscribe(&[] as &[&str]).await.unwrap();
            let counts = [next_message(&mut p).await.count, next_message(&mut p).await.count];
            assert_eq!(counts, [Some(1), Some(0)]);
            assert!(p.subscriptions().is_empty());
        }
    }

    /// aredis's handler example: a handler takes its channel's messages, and
    /// `get_message` returns `None` for them; confirmations are still returned.
    async fn handler_takes_its_messages() {
        for protocol in PROTOCOLS {
            let client = shared_client(protocol);
            let channel = unique("handler");
            let plain = unique("plain");
            let pattern_base = unique("handled-pattern");
            let pattern = format!("{pattern_base}:*");
            let seen = Arc::new(Mutex::new(Vec::<Message>::new()));

            let mut p = client.pubsub().await.unwrap();
            let sink = Arc::clone(&seen);
            p.subscribe_with(channel.as_str(), move |m| sink.lock().unwrap().push(m))
                .await
                .unwrap();
            let sink = Arc::clone(&seen);
            p.psubscribe_with(pattern.as_str(), move |m| sink.lock().unwrap().push(m))
                .await
                .unwrap();
            p.subscribe(plain.as_str()).await.unwrap();
            assert_confirmation(&next_message(&mut p).await, MessageKind::Subscribe, &channel, 1);
            assert_confirmation(&next_message(&mut p).await, MessageKind::PSubscribe, &pattern, 2);
            assert_confirmation(&next_message(&mut p).await, MessageKind::Subscribe, &plain, 3);

            let receivers: i64 = client.publish(channel.as_str(), "awesome data").await.unwrap();
            assert_eq!(receivers, 1);
            // The message arrives, goes to the handler, and is not returned.
            assert_eq!(p.get_message(Some(WAIT)).await.unwrap(), None);
            {
                let seen = seen.lock().unwrap();
                assert_eq!(seen.len(), 1);
                assert_eq!(seen[0].kind, MessageKind::Message);
                assert_eq!(seen[0].payload.as_deref(), Some(&b"awesome data"[..]));
            }

            let matched = format!("{pattern_base}:x");
            let receivers: i64 = client.publish(matched.as_str(), "by pattern").await.unwrap();
            assert_eq!(receivers, 1);
            assert_eq!(p.get_message(Some(WAIT)).await.unwrap(), None);
            {
                let seen = seen.lock().unwrap();
                assert_eq!(seen.len(), 2);
                assert_eq!(seen[1].kind, MessageKind::PMessage);
                assert_eq!(seen[1].channel, matched.as_bytes());
            }

            // A channel without a handler: returned as usual.
            let _: i64 = client.publish(plain.as_str(), "for the reader").await.unwrap();
            let message = next_message(&mut p).await;
            assert_eq!(message.channel, plain.as_bytes());
            assert_eq!(seen.lock().unwrap().len(), 2);
        }
    }

    /// `ignore_subscribe_messages`: confirmations update the state but are not returned
    /// (aredis's `pubsub(ignore_subscribe_messages=True)` example).
    async fn ignore_subscribe_messages_hides_confirmations() {
        for protocol in PROTOCOLS {
            let client = shared_client(protocol);
            let channel = unique("ignore");
            let mut p = client.pubsub().await.unwrap().ignore_subscribe_messages(true);
            p.subscribe(channel.as_str()).await.unwrap();
            // Reads (and hides) the confirmation.
            let deadline = Instant::now() + WAIT;
            while p.subscriptions().is_empty() {
                assert_eq!(p.get_message(Some(Duration::from_millis(100))).await.unwrap(), None);
                assert!(Instant::now() < deadline);
            }
            let receivers: i64 = client.publish(channel.as_str(), "my data").await.unwrap();
            assert_eq!(receivers, 1);
            let message = next_message(&mut p).await;
            assert_eq!(message.kind, MessageKind::Message);
            assert_eq!(message.payload.as_deref(), Some(&b"my data"[..]));

            p.unsubscribe(channel.as_str()).await.unwrap();
            let deadline = Instant::now() + WAIT;
            while p.is_subscribed() {
                assert_eq!(p.get_message(Some(Duration::from_millis(100))).await.unwrap(), None);
                assert!(Instant::now() < deadline);
            }

            // The `&mut` setter turns them back on.
            p.set_ignore_subscribe_messages(false);
            p.subscribe(channel.as_str()).await.unwrap();
            assert_confirmation(&next_message(&mut p).await, MessageKind::Subscribe, &channel, 1);
        }
    }

    /// `get_message` with a timeout returns `None` in time, and the connection goes on.
    async fn get_message_times_out_and_stays_usable() {
        for protocol in PROTOCOLS {
            let client = shared_client(protocol);
            let channel = unique("timeout");
            let mut p = client.pubsub().await.unwrap();
            p.subscribe(channel.as_str()).await.unwrap();
            next_message(&mut p).await;

            let started = Instant::now();
            assert_eq!(p.get_message(Some(Duration::from_millis(150))).await.unwrap(), None);
            let waited = started.elapsed();
            assert!(waited >= Duration::from_millis(140), "{waited:?}");
            // Zero: a poll.
            assert_eq!(p.get_message(Some(Duration::ZERO)).await.unwrap(), None);

            let _: i64 = client.publish(channel.as_str(), "after the timeout").await.unwrap();
            let message = next_message(&mut p).await;
            assert_eq!(message.payload.as_deref(), Some(&b"after the timeout"[..]));
        }
    }

    /// Dropping `get_message` futures (a timeout around them, as `select!` does), also
    /// in the middle of large frames, loses nothing and mixes nothing up.
    async fn dropped_reads_lose_nothing() {
        for protocol in PROTOCOLS {
            let client = shared_client(protocol);
            let channel = unique("cancel");
            let mut p = client.pubsub().await.unwrap().ignore_subscribe_messages(true);
            p.subscribe(channel.as_str()).await.unwrap();
            p.ping().await.unwrap();
            let rt = common::runtime();

            // Nothing there: the read is dropped while waiting.
            let wait = Some(Duration::from_millis(20));
            let dropped = runtime::timeout(&*rt, wait, p.get_message(None)).await;
            assert!(dropped.is_none(), "{dropped:?}");

            // Large payloads take several reads each: drop reads every millisecond.
            let payloads: Vec<String> = (0..20)
                .map(|i| format!("{i:04}:{}", "x".repeat(200_000)))
                .collect();
            let publisher = client.clone();
            let published = payloads.clone();
            let target = channel.clone();
            let done = Arc::new(AtomicUsize::new(0));
            let counter = Arc::clone(&done);
            rt.spawn(Box::pin(async move {
                for payload in &published {
                    let _: i64 = publisher.publish(target.as_str(), payload.as_str()).await
                        .unwrap();
                    counter.fetch_add(1, Ordering::SeqCst);
                }
            }));
            let mut received = Vec::new();
            let deadline = Instant::now() + WAIT * 2;
            while received.len() < payloads.len() {
                let arrived = received.len();
                assert!(Instant::now() < deadline, "{arrived} of {} arrived", payloads.len());
                let read = p.get_message(None);
                match runtime::timeout(&*rt, Some(Duration::from_millis(1)), read).await {
                    None => {}
                    Some(Ok(Some(message))) => received.push(message.payload.unwrap()),
                    Some(Ok(None)) => {}
                    Some(Err(e)) => panic!("{e:?}"),
                }
            }
            for (got, sent) in received.iter().zip(&payloads) {
                assert_eq!(got.as_ref(), sent.as_bytes());
            }
            // (The last reply to the publisher may arrive after the message itself.)
            let all = payloads.len();
            wait_until("the publisher's replies", || done.load(Ordering::SeqCst) == all).await;
            assert_eq!(p.reconnects(), 0);
        }
    }

    /// `stream()` yields every message (aredis's `listen()`), and ends once nothing is
    /// subscribed; `into_stream()` is the owning, `'static` form.
    async fn stream_yields_until_unsubscribed() {
        for protocol in PROTOCOLS {
            let client = shared_client(protocol);
            let channel = unique("stream");
            let mut p = client.pubsub().await.unwrap();
            p.subscribe(channel.as_str()).await.unwrap();
            let first = p.stream().next().await.unwrap().unwrap();
            assert_confirmation(&first, MessageKind::Subscribe, &channel, 1);
            for i in 0..3 {
                let _: i64 = client.publish(channel.as_str(), i).await.unwrap();
            }
            let payloads: Vec<Bytes> = p
                .stream()
                .take(3)
                .map(|m| m.unwrap().payload.unwrap())
                .collect()
                .await;
            assert_eq!(payloads, [&b"0"[..], b"1", b"2"]);

            p.unsubscribe(channel.as_str()).await.unwrap();
            let rest: Vec<Message> = p.stream().map(Result::unwrap).collect().await;
            assert_eq!(rest.len(), 1, "{rest:?}");
            assert_confirmation(&rest[0], MessageKind::Unsubscribe, &channel, 0);

            // The owning stream gives the `PubSub` back while no read is in progress.
            let mut p = p.into_stream().into_inner().expect("no read in progress");
            assert!(!p.is_subscribed());

            // The owning stream, moved into another task.
            p.subscribe(channel.as_str()).await.unwrap();
            let stream = p.into_stream();
            assert_send(&stream);
            let seen = Arc::new(Mutex::new(Vec::new()));
            let sink = Arc::clone(&seen);
            common::runtime().spawn(Box::pin(async move {
                let mut stream = stream;
                while let Some(message) = stream.next().await {
                    let message = message.unwrap();
                    let done = message.payload.as_deref() == Some(&b"last"[..]);
                    sink.lock().unwrap().push(message);
                    if done {
                        break;
                    }
                }
            }));
            publish_until_received(&client, &channel, "last").await;
            wait_until("the task's messages", || seen.lock().unwrap().len() == 2).await;
            let seen = seen.lock().unwrap();
            assert_eq!(seen[0].kind, MessageKind::Subscribe);
            assert_eq!(seen[1].payload.as_deref(), Some(&b"last"[..]));
        }
    }

    /// `run_in_background`: a task hands messages to the handlers until stopped; `join`
    /// gives the `PubSub` back. The stop is noticed at once (no health-check interval,
    /// nothing arriving: the stop itself wakes the task).
    async fn run_in_background_dispatches_until_stopped() {
        for protocol in PROTOCOLS {
            let client = shared_client(protocol);
            let channel = unique("task");
            let pattern_base = unique("task-pattern");
            let pattern = format!("{pattern_base}:*");
            let seen = Arc::new(Mutex::new(Vec::<Message>::new()));

            let mut p = client.pubsub().await.unwrap();
            let sink = Arc::clone(&seen);
            p.subscribe_with(channel.as_str(), move |m| sink.lock().unwrap().push(m))
                .await
                .unwrap();
            let sink = Arc::clone(&seen);
            p.psubscribe_with(pattern.as_str(), move |m| sink.lock().unwrap().push(m))
                .await
                .unwrap();
            let task = p.run_in_background().unwrap();
            assert_send(&task);

            assert_eq!(publish_until_received(&client, &channel, "one").await, 1);
            wait_until("the first message", || seen.lock().unwrap().len() == 1).await;
            let matched = format!("{pattern_base}:yes");
            assert_eq!(publish_until_received(&client, &matched, "two").await, 1);
            wait_until("the second message", || seen.lock().unwrap().len() == 2).await;
            {
                let seen = seen.lock().unwrap();
                assert_eq!(seen[0].kind, MessageKind::Message);
                assert_eq!(seen[0].payload.as_deref(), Some(&b"one"[..]));
                assert_eq!(seen[1].kind, MessageKind::PMessage);
                assert_eq!(seen[1].channel, matched.as_bytes());
            }

            assert!(!task.is_finished());
            task.stop();
            let mut p = runtime::timeout(&*common::runtime(), Some(WAIT), task.join())
                .await
                .expect("the task stops when asked")
                .unwrap();
            assert_eq!(p.subscriptions().len(), 2);
            assert!(p.subscriptions().channels().any(|c| c == channel.as_bytes()));

            // Still subscribed, and usable in the foreground again.
            let _: i64 = client.publish(channel.as_str(), "three").await.unwrap();
            assert_eq!(p.get_message(Some(WAIT)).await.unwrap(), None);
            assert_eq!(seen.lock().unwrap().len(), 3);
        }
    }

    /// Dropping the handle stops the task: its connection closes and the server sees
    /// the subscriber go.
    async fn dropping_the_task_handle_stops_it() {
        let client = shared_client(Protocol::Resp3);
        let channel = unique("task-dropped");
        let mut p = client.pubsub().await.unwrap();
        p.subscribe_with(channel.as_str(), |_| {}).await.unwrap();
        let task = p.run_in_background().unwrap();
        publish_until_received(&client, &channel, "hello").await;
        drop(task);
        let deadline = Instant::now() + WAIT;
        loop {
            let receivers: i64 = client.publish(channel.as_str(), "anyone?").await.unwrap();
            if receivers == 0 {
                break;
            }
            assert!(Instant::now() < deadline, "the stopped subscriber is still there");
            sleep(Duration::from_millis(10)).await;
        }
    }

    /// As aredis, `run_in_background` refuses while a channel or pattern has no handler,
    /// with a typed error naming it.
    async fn run_in_background_refuses_subscriptions_without_handler() {
        let client = shared_client(Protocol::Resp3);
        let handled = unique("refuse-handled");
        let bare = unique("refuse-bare");
        let mut p = client.pubsub().await.unwrap();
        p.subscribe_with(handled.as_str(), |_| {}).await.unwrap();
        p.subscribe(bare.as_str()).await.unwrap();
        let err = p.check_handlers().unwrap_err();
        match &err {
            Error::PubSub { message } => assert!(message.contains(&bare), "{message}"),
            other => panic!("expected a PubSub error, got {other:?}"),
        }
        let err = p.run_in_background().unwrap_err();
        assert!(
            matches!(&err, Error::PubSub { message } if message.contains(&bare)),
            "{err}"
        );

        // A pattern without a handler, confirmed already.
        let pattern = format!("{}:*", unique("refuse-pattern"));
        let mut p = client.pubsub().await.unwrap();
        p.psubscribe(pattern.as_str()).await.unwrap();
        assert_confirmation(&next_message(&mut p).await, MessageKind::PSubscribe, &pattern, 1);
        let err = p.run_in_background().unwrap_err();
        assert!(
            matches!(
                &err,
                Error::PubSub { message } if message.contains(&pattern) && message.contains("pattern")
            ),
            "{err}"
        );

        // Subscribing again without a handler removes the handler, as in redis-py.
        let channel = unique("refuse-again");
        let mut p = client.pubsub().await.unwrap();
        p.subscribe_with(channel.as_str(), |_| {}).await.unwrap();
        p.check_handlers().unwrap();
        p.subscribe(channel.as_str()).await.unwrap();
        assert!(p.check_handlers().is_err());
    }

    /// Without an error handler the task stops on the first error and `join` returns it;
    /// with one, the handler is called with the error and decides.
    async fn run_in_background_errors() {
        let mut server = RedisServer::builder().start().unwrap();
        let client = client_for(&server.url(), Protocol::Resp3);

        let mut p = client.pubsub().await.unwrap();
        p.subscribe_with(unique("err-plain").as_str(), |_| {}).await.unwrap();
        p.ping().await.unwrap();
        let plain = p.run_in_background().unwrap();

        let errors = Arc::new(Mutex::new(Vec::<Error>::new()));
        let mut p = client.pubsub().await.unwrap();
        p.subscribe_with(unique("err-handled").as_str(), |_| {}).await.unwrap();
        p.ping().await.unwrap();
        let sink = Arc::clone(&errors);
        let handled = p
            .run_in_background_with_error_handler(Duration::from_millis(10), move |e| {
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

        sleep(Duration::from_millis(100)).await;
        server.stop();

        let err = plain.join().await.unwrap_err();
        assert!(matches!(err, Error::Io { .. }), "{err:?}");
        let p = handled.join().await.unwrap();
        let errors = errors.lock().unwrap();
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert!(errors.iter().all(|e| matches!(e, Error::Io { .. })), "{errors:?}");
        drop(p);
    }

    /// A handler that panics ends the task (not the runtime's thread); `join` reports it
    /// as a PubSub error.
    async fn run_in_background_handler_panic_is_reported() {
        let client = shared_client(Protocol::Resp3);
        let channel = unique("panic");
        let mut p = client.pubsub().await.unwrap();
        p.subscribe_with(channel.as_str(), |_| panic!("handler exploded")).await.unwrap();
        let task = p.run_in_background().unwrap();
        publish_until_received(&client, &channel, "boom").await;
        let err = task.join().await.unwrap_err();
        assert!(
            matches!(&err, Error::PubSub { message } if message.contains("handler exploded")),
            "{err}"
        );
        // The runtime goes on.
        let _: i64 = client.publish(channel.as_str(), "still running").await.unwrap();
    }

    /// PING while subscribed: RESP2 answers with a `pong` frame, RESP3 with `PONG`;
    /// neither is returned as a message, and messages that arrive meanwhile are kept.
    async fn health_check_while_subscribed() {
        for protocol in PROTOCOLS {
            let client = shared_client(protocol);
            let channel = unique("health");
            let mut p = client.pubsub().await.unwrap();
            // Not subscribed yet: a plain PONG in RESP2 as well.
            p.ping().await.unwrap();
            p.subscribe(channel.as_str()).await.unwrap();
            p.ping().await.unwrap();
            p.check_health().await.unwrap();
            // The confirmation read while waiting for the pongs is kept for the reader.
            assert_confirmation(&next_message(&mut p).await, MessageKind::Subscribe, &channel, 1);

            let _: i64 = client.publish(channel.as_str(), "before the ping").await.unwrap();
            p.ping().await.unwrap();
            let message = next_message(&mut p).await;
            assert_eq!(message.payload.as_deref(), Some(&b"before the ping"[..]));
            assert_eq!(p.get_message(Some(Duration::from_millis(50))).await.unwrap(), None);

            // With an interval, reading pings on its own when idle; no pong surfaces.
            let mut p = p.health_check_interval(Some(Duration::from_millis(50)));
            assert_eq!(p.get_message(Some(Duration::from_millis(300))).await.unwrap(), None);
            p.check_health().await.unwrap();
            let _: i64 = client.publish(channel.as_str(), "still here").await.unwrap();
            let message = next_message(&mut p).await;
            assert_eq!(message.payload.as_deref(), Some(&b"still here"[..]));
            assert_eq!(p.reconnects(), 0);
        }
    }

    /// Sharded pub/sub (Redis 7) on a standalone server: SSUBSCRIBE, SPUBLISH,
    /// SUNSUBSCRIBE.
    async fn sharded_pubsub() {
        for protocol in PROTOCOLS {
            let client = shared_client(protocol);
            let channel = unique("shard");
            let handled = unique("shard-handled");
            let seen = Arc::new(AtomicUsize::new(0));
            let mut p = client.pubsub().await.unwrap();
            p.ssubscribe(channel.as_str()).await.unwrap();
            assert_confirmation(&next_message(&mut p).await, MessageKind::SSubscribe, &channel, 1);
            let counter = Arc::clone(&seen);
            p.ssubscribe_with(handled.as_str(), move |m| {
                assert_eq!(m.kind, MessageKind::SMessage);
                counter.fetch_add(1, Ordering::SeqCst);
            })
            .await
            .unwrap();
            assert_confirmation(&next_message(&mut p).await, MessageKind::SSubscribe, &handled, 2);
            assert_eq!(p.subscriptions().shard_channels().count(), 2);

            let shard_channels: Vec<Bytes> = client.pubsub_shardchannels().await.unwrap();
            assert!(shard_channels.iter().any(|c| c == channel.as_bytes()));

            let receivers: i64 = client.spublish(channel.as_str(), "sharded").await.unwrap();
            assert_eq!(receivers, 1);
            let message = next_message(&mut p).await;
            assert_eq!(message.kind, MessageKind::SMessage);
            assert_eq!(message.channel, channel.as_bytes());
            assert_eq!(message.payload.as_deref(), Some(&b"sharded"[..]));

            let _: i64 = client.spublish(handled.as_str(), "to the handler").await.unwrap();
            assert_eq!(p.get_message(Some(WAIT)).await.unwrap(), None);
            assert_eq!(seen.load(Ordering::SeqCst), 1);

            p.sunsubscribe_all().await.unwrap();
            let counts = [next_message(&mut p).await.count, next_message(&mut p).await.count];
            assert_eq!(counts, [Some(1), Some(0)]);
            assert!(!p.is_subscribed());
        }
    }

    /// aredis's `pubsub_channels()`, `pubsub_numsub('foo', 'bar')`, `pubsub_numsub('baz')`
    /// (a channel nobody listens to: 0) and `pubsub_numpat()`, through the client; and
    /// the shard variants.
    async fn pubsub_introspection() {
        let client = shared_client(Protocol::Resp3);
        let foo = unique("introspect-foo");
        let bar = unique("introspect-bar");
        let baz = unique("introspect-baz");
        let pattern = format!("{}:*", unique("introspect-pattern"));
        let shard = unique("introspect-shard");
        let mut p = client.pubsub().await.unwrap();
        let mut other = client.pubsub().await.unwrap();
        p.subscribe((foo.as_str(), bar.as_str())).await.unwrap();
        other.subscribe(foo.as_str()).await.unwrap();
        p.psubscribe(pattern.as_str()).await.unwrap();
        p.ssubscribe(shard.as_str()).await.unwrap();
        for _ in 0..4 {
            next_message(&mut p).await;
        }
        next_message(&mut other).await;

        let channels: Vec<Bytes> = client.pubsub_channels().await.unwrap();
        assert!(channels.iter().any(|c| c == foo.as_bytes()));
        assert!(channels.iter().any(|c| c == bar.as_bytes()));
        let matching: Vec<Bytes> = client.pubsub_channels_matching(foo.as_str()).await.unwrap();
        assert_eq!(matching, [foo.as_bytes()]);
        let numsub: Vec<(Bytes, i64)> = client
            .pubsub_numsub_of((foo.as_str(), bar.as_str()))
            .await
            .unwrap();
        assert_eq!(
            numsub,
            [
                (Bytes::from(foo.clone().into_bytes()), 2),
                (Bytes::from(bar.clone().into_bytes()), 1)
            ]
        );
        let numsub: Vec<(Bytes, i64)> = client.pubsub_numsub_of(baz.as_str()).await.unwrap();
        assert_eq!(numsub, [(Bytes::from(baz.clone().into_bytes()), 0)]);
        let numpat: i64 = client.pubsub_numpat().await.unwrap();
        assert!(numpat >= 1);
        let shardnumsub: Vec<(Bytes, i64)> =
            client.pubsub_shardnumsub_of(shard.as_str()).await.unwrap();
        assert_eq!(shardnumsub, [(Bytes::from(shard.clone().into_bytes()), 1)]);
    }

    /// `close()` drops the connection and forgets everything; the server sees the
    /// subscriber go.
    async fn close_forgets_everything() {
        let client = shared_client(Protocol::Resp2);
        let channel = unique("close");
        let mut p = client.pubsub().await.unwrap();
        p.subscribe_with(channel.as_str(), |_| {}).await.unwrap();
        // The handler's confirmation arrives.
        next_message(&mut p).await;
        p.close().await;
        assert!(!p.is_subscribed());
        assert_eq!(p.protocol(), None);
        let deadline = Instant::now() + WAIT;
        loop {
            let receivers: i64 = client.publish(channel.as_str(), "anyone?").await.unwrap();
            if receivers == 0 {
                break;
            }
            assert!(Instant::now() < deadline, "the closed subscriber is still there");
            sleep(Duration::from_millis(10)).await;
        }
        // Usable again: a new connection.
        p.subscribe(channel.as_str()).await.unwrap();
        assert_confirmation(&next_message(&mut p).await, MessageKind::Subscribe, &channel, 1);
        assert_eq!(p.reconnects(), 0);
    }

    /// The server restarts under a subscriber: the next read reconnects, subscribes again
    /// to every channel, pattern and shard channel, tells the caller, and new messages
    /// arrive.
    async fn reconnects_and_resubscribes_after_server_restart() {
        for protocol in PROTOCOLS {
            let mut server = RedisServer::builder().start().unwrap();
            let url = server.url();
            let client = client_for(&url, protocol);
            let notices = Arc::new(Mutex::new(Vec::new()));
            let sink = Arc::clone(&notices);
            let mut p = client
                .pubsub()
                .await
                .unwrap()
                .on_reconnect(move |notice| sink.lock().unwrap().push(notice.clone()));
            let handled = Arc::new(AtomicUsize::new(0));
            let counter = Arc::clone(&handled);
            p.subscribe("news").await.unwrap();
            p.psubscribe("weather:*").await.unwrap();
            p.ssubscribe("shard-news").await.unwrap();
            p.subscribe_with("handled", move |_| {
                counter.fetch_add(1, Ordering::SeqCst);
            })
            .await
            .unwrap();
            for _ in 0..4 {
                assert!(next_message(&mut p).await.kind.is_confirmation());
            }

            server.restart().unwrap();

            // The confirmations of the new subscriptions come as messages.
            let mut confirmed = Vec::new();
            while confirmed.len() < 4 {
                let message = next_message(&mut p).await;
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

            // A fresh client publishes (the first one's connections died too).
            let publisher = client_for(&url, protocol);
            let receivers: i64 = publisher.publish("news", "after the restart").await.unwrap();
            assert_eq!(receivers, 1);
            let message = next_message(&mut p).await;
            assert_eq!(
                (message.kind, message.channel.as_ref()),
                (MessageKind::Message, &b"news"[..])
            );
            assert_eq!(message.payload.as_deref(), Some(&b"after the restart"[..]));
            let _: i64 = publisher.publish("weather:today", "sunny").await.unwrap();
            assert_eq!(next_message(&mut p).await.kind, MessageKind::PMessage);
            let _: i64 = publisher.spublish("shard-news", "sharded").await.unwrap();
            assert_eq!(next_message(&mut p).await.kind, MessageKind::SMessage);
            let _: i64 = publisher.publish("handled", "to the handler").await.unwrap();
            assert_eq!(p.get_message(Some(WAIT)).await.unwrap(), None);
            assert_eq!(handled.load(Ordering::SeqCst), 1);
        }
    }

    /// `CLIENT KILL` of the subscriber's connection (the server stays up): the stream
    /// notices, reconnects, resubscribes and goes on.
    async fn stream_reconnects_after_client_kill() {
        for protocol in PROTOCOLS {
            // A private server: killing every pub/sub connection must not touch other
            // tests' subscribers.
            let server = RedisServer::builder().start().unwrap();
            let client = client_for(&server.url(), protocol);
            let reconnected = Arc::new(AtomicUsize::new(0));
            let counter = Arc::clone(&reconnected);
            let mut p = client
                .pubsub()
                .await
                .unwrap()
                .ignore_subscribe_messages(true)
                .on_reconnect(move |_| {
                    counter.fetch_add(1, Ordering::SeqCst);
                });
            p.subscribe("victim").await.unwrap();
            p.ping().await.unwrap();
            let killed: i64 = client
                .query_as(Cmd::new("CLIENT").arg("KILL").arg("TYPE").arg("pubsub"))
                .await
                .unwrap();
            assert_eq!(killed, 1);

            let mut stream = p.stream();
            // Published until the new subscription is in effect.
            let publish = publish_until_received(&client, "victim", "after the kill");
            let (message, receivers) = futures_util::join!(stream.next(), publish);
            assert_eq!(receivers, 1);
            let message = message.unwrap().unwrap();
            assert_eq!(message.payload.as_deref(), Some(&b"after the kill"[..]));
            drop(stream);
            assert_eq!(p.reconnects(), 1);
            assert_eq!(reconnected.load(Ordering::SeqCst), 1);
            assert_eq!(p.subscriptions().channels().count(), 1);
        }
    }

    /// A health check notices a dead connection and replaces it (resubscribing).
    async fn check_health_reconnects_a_dead_connection() {
        let mut server = RedisServer::builder().start().unwrap();
        let client = client_for(&server.url(), Protocol::Resp2);
        let mut p = client.pubsub().await.unwrap().ignore_subscribe_messages(true);
        p.subscribe("alive").await.unwrap();
        p.check_health().await.unwrap();
        assert_eq!(p.subscriptions().len(), 1);
        server.restart().unwrap();
        p.check_health().await.unwrap();
        assert_eq!(p.reconnects(), 1);
        // The confirmation of the resubscription was read while waiting for the pong.
        assert_eq!(p.subscriptions().len(), 1);
        let publisher = client_for(&server.url(), Protocol::Resp2);
        let receivers: i64 = publisher.publish("alive", "yes").await.unwrap();
        assert_eq!(receivers, 1);
        assert_eq!(next_message(&mut p).await.payload.as_deref(), Some(&b"yes"[..]));
    }

    /// While the server is down, reads fail with an IO error; once it is back, the next
    /// read reconnects.
    async fn reads_fail_while_the_server_is_down_then_recover() {
        let mut server = RedisServer::builder().start().unwrap();
        let client = client_for(&server.url(), Protocol::Resp3);
        let mut p = client.pubsub().await.unwrap().ignore_subscribe_messages(true);
        p.subscribe("down").await.unwrap();
        p.ping().await.unwrap();
        server.stop();
        let err = p.get_message(Some(Duration::from_millis(200))).await.unwrap_err();
        assert!(matches!(err, Error::Io { .. }), "{err:?}");
        let err = p.get_message(Some(Duration::from_millis(200))).await.unwrap_err();
        assert!(matches!(err, Error::Io { .. }), "{err:?}");
        server.restart().unwrap();
        assert_eq!(p.get_message(Some(Duration::from_millis(500))).await.unwrap(), None);
        assert_eq!(p.reconnects(), 1);
        let publisher = client_for(&server.url(), Protocol::Resp3);
        let receivers: i64 = publisher.publish("down", "up again").await.unwrap();
        assert_eq!(receivers, 1);
        assert_eq!(next_message(&mut p).await.payload.as_deref(), Some(&b"up again"[..]));
    }

    /// RESP3: a push that is not pub/sub (a client-tracking invalidation redirected to
    /// the subscriber) is not taken for a message; it goes to the `on_push` callback.
    async fn resp3_invalidation_push_is_not_a_message() {
        let server = shared_server();
        let client = shared_client(Protocol::Resp3);
        let channel = unique("tracking");
        let key = unique("tracked-key");
        let pushes = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&pushes);
        let mut p = client
            .pubsub()
            .await
            .unwrap()
            .on_push(move |push| sink.lock().unwrap().push(push));
        p.subscribe(channel.as_str()).await.unwrap();
        next_message(&mut p).await;
        let id = p.client_id().expect("RESP3 tells the connection id");

        // Another connection tracks keys and sends the invalidations to the subscriber.
        let config = ConnectionConfig::from_url(&server.url()).unwrap();
        let mut tracker = Connection::open(config).await.unwrap();
        tracker
            .query::<()>(&Cmd::new("CLIENT").arg("TRACKING").arg("ON").arg("REDIRECT").arg(id))
            .await
            .unwrap();
        let _: Option<Bytes> = tracker.query(&Cmd::new("GET").arg(key.as_str())).await.unwrap();
        let _: () = client.set(key.as_str(), "changed").await.unwrap();

        let deadline = Instant::now() + WAIT;
        while pushes.lock().unwrap().is_empty() {
            assert_eq!(p.get_message(Some(Duration::from_millis(100))).await.unwrap(), None);
            assert!(Instant::now() < deadline, "no invalidation arrived");
        }
        let push = pushes.lock().unwrap()[0].clone();
        let Value::Push(items) = push else {
            panic!("{push:?}")
        };
        assert_eq!(items[0], Value::BulkString(Bytes::from_static(b"invalidate")));
        assert_eq!(
            items[1],
            Value::Array(vec![Value::BulkString(Bytes::from(key.clone().into_bytes()))])
        );

        // Messages still arrive as messages.
        let _: i64 = client.publish(channel.as_str(), "after the push").await.unwrap();
        assert_eq!(
            next_message(&mut p).await.payload.as_deref(),
            Some(&b"after the push"[..])
        );
    }

    /// With a health-check interval, an idle reader PINGs the server on its own (seen by
    /// a monitor), and no pong surfaces as a message.
    async fn health_check_interval_pings_an_idle_connection() {
        for protocol in PROTOCOLS {
            let server = RedisServer::builder().start().unwrap();
            let client = client_for(&server.url(), protocol);
            let mut monitor = client.monitor().await.unwrap();
            let mut p = client
                .pubsub()
                .await
                .unwrap()
                .health_check_interval(Some(Duration::from_millis(50)));
            p.subscribe("idle").await.unwrap();
            assert_eq!(next_message(&mut p).await.kind, MessageKind::Subscribe);
            let started = Instant::now();
            while started.elapsed() < Duration::from_millis(400) {
                assert_eq!(p.get_message(Some(Duration::from_millis(400))).await.unwrap(), None);
            }
            let mut pings = 0;
            let quiet = Duration::from_millis(200);
            while let Some(event) = monitor.next_timeout(quiet).await.unwrap() {
                if event.command[0].eq_ignore_ascii_case(b"PING") {
                    pings += 1;
                }
            }
            assert!(pings >= 3, "{pings} PINGs in 400ms with an interval of 50ms");
            assert_eq!(p.reconnects(), 0);
        }
    }

    /// (Un)subscriptions requested while the connection is dead (not noticed yet) are
    /// not lost: the reconnect restores what was confirmed, then applies them.
    async fn requests_made_while_disconnected_are_restored() {
        for protocol in PROTOCOLS {
            let mut server = RedisServer::builder().start().unwrap();
            let client = client_for(&server.url(), protocol);
            let mut p = client.pubsub().await.unwrap().ignore_subscribe_messages(true);
            p.subscribe(("old", "kept")).await.unwrap();
            p.ping().await.unwrap();
            assert_eq!(p.subscriptions().len(), 2);

            server.restart().unwrap();
            let _ = p.unsubscribe("old").await;
            let _ = p.subscribe("new").await;
            // Reading notices the drop, reconnects and settles.
            let deadline = Instant::now() + WAIT;
            loop {
                let _ = p.get_message(Some(Duration::from_millis(50))).await;
                let channels: Vec<&Bytes> = p.subscriptions().channels().collect();
                if p.reconnects() == 1 && channels == [&b"kept"[..], &b"new"[..]] {
                    break;
                }
                assert!(Instant::now() < deadline, "{:?}", p.subscriptions());
            }
            let publisher = client_for(&server.url(), protocol);
            let to_old: i64 = publisher.publish("old", "x").await.unwrap();
            let to_new: i64 = publisher.publish("new", "y").await.unwrap();
            assert_eq!((to_old, to_new), (0, 1));
            assert_eq!(next_message(&mut p).await.payload.as_deref(), Some(&b"y"[..]));
        }
    }

    /// The futures and types are `Send`, so a `PubSub` can live in any task.
    async fn futures_are_send() {
        let client = shared_client(Protocol::Resp3);
        let mut p = client.pubsub().await.unwrap();
        assert_send(&p);
        assert_send(&p.get_message(None));
        assert_send(&p.ping());
        assert_send(&p.check_health());
        assert_send(&p.unsubscribe_all());
        assert_send(&p.stream());
        assert_send(&client.pubsub());
        assert_send(&client.monitor());
        let monitor = client.monitor().await.unwrap();
        assert_send(&monitor);
        // An unpolled subscribe sends (and records) nothing.
        drop(p.subscribe("never-sent"));
        assert!(!p.is_subscribed());
    }
}
