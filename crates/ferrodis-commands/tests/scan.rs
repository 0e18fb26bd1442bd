#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Byte scripts of the SCAN family. Replies are what redis-server 7.0.15 sent (captured,
//! in RESP2 and RESP3: scan replies are the same in both).

use bytes::Bytes;
use ferrodis_commands::commands::{hscan_page, scan_page, sscan_page, zscan_page};
use ferrodis_commands::scan::{ScanCursor, ScanOptions, ScanPage};
use ferrodis_commands::{Error, FromValue, Value};

fn decode_one(bytes: &[u8]) -> Value {
    let (value, used) = ferrodis_resp::decode(bytes).unwrap().unwrap();
    assert_eq!(used, bytes.len());
    value
}

fn req(cmd: &[&str]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", cmd.len()).into_bytes();
    for arg in cmd {
        out.extend_from_slice(format!("${}\r\n{arg}\r\n", arg.len()).as_bytes());
    }
    out
}

fn written(cmd: &ferrodis_commands::Cmd) -> Vec<u8> {
    let mut out = Vec::new();
    cmd.write_to(&mut out);
    out
}

/// Drives a cursor through a script of (expected request, server reply) pairs.
fn run<T: FromValue>(cursor: &mut ScanCursor<T>, script: &[(Vec<u8>, &[u8])]) -> Vec<T> {
    let mut items = Vec::new();
    let mut script = script.iter();
    while let Some(cmd) = cursor.next_cmd() {
        let (expected, reply) = script.next().expect("an unexpected request");
        assert_eq!(
            String::from_utf8_lossy(&written(&cmd)),
            String::from_utf8_lossy(expected)
        );
        items.extend(cursor.on_reply(decode_one(reply)).unwrap());
    }
    assert!(script.next().is_none(), "the scan ended early");
    assert!(cursor.is_finished());
    items
}

#[test]
fn a_three_page_scan() {
    let options = ScanOptions::new().pattern("k*").count(2);
    let mut cursor = ScanCursor::<String>::scan(&options);
    let keys = run(
        &mut cursor,
        &[
            (
                req(&["SCAN", "0", "MATCH", "k*", "COUNT", "2"]),
                b"*2\r\n$1\r\n6\r\n*2\r\n$2\r\nk4\r\n$2\r\nk2\r\n",
            ),
            (
                req(&["SCAN", "6", "MATCH", "k*", "COUNT", "2"]),
                b"*2\r\n$1\r\n7\r\n*3\r\n$2\r\nk5\r\n$2\r\nk1\r\n$2\r\nk3\r\n",
            ),
            // The last page may be empty.
            (
                req(&["SCAN", "7", "MATCH", "k*", "COUNT", "2"]),
                b"*2\r\n$1\r\n0\r\n*0\r\n",
            ),
        ],
    );
    assert_eq!(keys, ["k4", "k2", "k5", "k1", "k3"]);
    assert_eq!(cursor.next_cmd(), None);
    assert!(
        cursor.on_reply(Value::Nil).is_err(),
        "a reply after the end"
    );
}

#[test]
fn hscan_gives_field_value_pairs() {
    let mut cursor = ScanCursor::<(Bytes, Bytes)>::hscan("h", &ScanOptions::new());
    let pairs = run(
        &mut cursor,
        &[(
            req(&["HSCAN", "h", "0"]),
            b"*2\r\n$1\r\n0\r\n*4\r\n$2\r\nf1\r\n$2\r\nv1\r\n$2\r\nf2\r\n$2\r\nv2\r\n",
        )],
    );
    assert_eq!(
        pairs,
        [
            (Bytes::from("f1"), Bytes::from("v1")),
            (Bytes::from("f2"), Bytes::from("v2"))
        ]
    );
}

#[test]
fn zscan_gives_member_score_pairs() {
    let mut cursor = ScanCursor::<(String, f64)>::zscan("z", &ScanOptions::new().count(100));
    let pairs = run(
        &mut cursor,
        &[(
            req(&["ZSCAN", "z", "0", "COUNT", "100"]),
            b"*2\r\n$1\r\n0\r\n*4\r\n$2\r\nm1\r\n$3\r\n1.5\r\n$2\r\nm2\r\n$1\r\n2\r\n",
        )],
    );
    assert_eq!(pairs, [("m1".to_owned(), 1.5), ("m2".to_owned(), 2.0)]);
}

#[test]
fn sscan_with_a_pattern() {
    let mut cursor = ScanCursor::<Bytes>::sscan("s", &ScanOptions::new().pattern("a*"));
    let members = run(
        &mut cursor,
        &[(
            req(&["SSCAN", "s", "0", "MATCH", "a*"]),
            b"*2\r\n$1\r\n0\r\n*1\r\n$1\r\na\r\n",
        )],
    );
    assert_eq!(members, [Bytes::from("a")]);
}

#[test]
fn an_error_leaves_the_cursor_and_the_command_to_retry() {
    let mut cursor = ScanCursor::<Bytes>::sscan("s", &ScanOptions::new().type_("set"));
    let cmd = cursor.next_cmd().unwrap();
    assert_eq!(written(&cmd), req(&["SSCAN", "s", "0", "TYPE", "set"]));
    match cursor.on_reply(decode_one(b"-ERR syntax error\r\n")) {
        Err(Error::Server(e)) => assert_eq!(e.text(), "ERR syntax error"),
        other => panic!("{other:?}"),
    }
    assert_eq!(cursor.cursor(), 0);
    assert!(!cursor.is_finished());
    assert_eq!(cursor.next_cmd(), Some(cmd));

    // A reply that is not a page.
    let mut cursor = ScanCursor::<Bytes>::scan(&ScanOptions::new());
    assert!(matches!(
        cursor.on_reply(Value::Integer(3)),
        Err(Error::Conversion { .. })
    ));
    assert!(matches!(
        cursor.on_reply(decode_one(b"*1\r\n$1\r\n0\r\n")),
        Err(Error::Conversion { .. })
    ));
    assert!(!cursor.is_finished());
}

#[test]
fn next_cmd_is_the_same_until_a_reply_arrives() {
    let mut cursor = ScanCursor::<Bytes>::scan(&ScanOptions::new());
    assert_eq!(cursor.next_cmd(), cursor.next_cmd());
    cursor
        .on_reply(decode_one(b"*2\r\n$2\r\n42\r\n*0\r\n"))
        .unwrap();
    assert_eq!(cursor.cursor(), 42);
    assert_eq!(written(&cursor.next_cmd().unwrap()), req(&["SCAN", "42"]));
}

#[test]
fn options_encoding() {
    let cases: [(ScanOptions, &[&str]); 5] = [
        (ScanOptions::new(), &["SCAN", "0"]),
        (
            ScanOptions::new().pattern("user:*"),
            &["SCAN", "0", "MATCH", "user:*"],
        ),
        (
            ScanOptions::new().count(500),
            &["SCAN", "0", "COUNT", "500"],
        ),
        (
            ScanOptions::new().type_("hash"),
            &["SCAN", "0", "TYPE", "hash"],
        ),
        // Always MATCH, COUNT, TYPE, whatever order they were set in.
        (
            ScanOptions::new().type_("string").count(2).pattern("k*"),
            &["SCAN", "0", "MATCH", "k*", "COUNT", "2", "TYPE", "string"],
        ),
    ];
    for (options, expected) in cases {
        let cursor = ScanCursor::<Bytes>::scan(&options);
        assert_eq!(written(&cursor.next_cmd().unwrap()), req(expected));
        assert_eq!(written(scan_page(0, &options).cmd()), req(expected));
    }
    let options = ScanOptions::new().pattern("p").count(3).type_("t");
    assert_eq!(options.get_pattern(), Some(&b"p"[..]));
    assert_eq!(options.get_count(), Some(3));
    assert_eq!(options.get_type(), Some("t"));
}

#[test]
fn page_wrappers_and_their_reply_types() {
    let options = ScanOptions::new().count(10);
    assert_eq!(
        written(sscan_page("s", 5, &options).cmd()),
        req(&["SSCAN", "s", "5", "COUNT", "10"])
    );
    assert_eq!(
        written(hscan_page("h", 0, &options).cmd()),
        req(&["HSCAN", "h", "0", "COUNT", "10"])
    );
    assert_eq!(
        written(zscan_page("z", 0, &options).cmd()),
        req(&["ZSCAN", "z", "0", "COUNT", "10"])
    );

    let page: ScanPage<Bytes> = FromValue::from_value(decode_one(
        b"*2\r\n$1\r\n6\r\n*2\r\n$2\r\nk4\r\n$2\r\nk2\r\n",
    ))
    .unwrap();
    assert_eq!(
        page,
        ScanPage {
            cursor: 6,
            items: vec![Bytes::from("k4"), Bytes::from("k2")]
        }
    );
    let page: ScanPage<(Bytes, f64)> = FromValue::from_value(decode_one(
        b"*2\r\n$1\r\n0\r\n*4\r\n$2\r\nm1\r\n$3\r\n1.5\r\n$2\r\nm2\r\n$1\r\n2\r\n",
    ))
    .unwrap();
    assert_eq!(page.items[0], (Bytes::from("m1"), 1.5));
    // A full 64-bit cursor.
    let page: ScanPage<Bytes> =
        FromValue::from_value(decode_one(b"*2\r\n$20\r\n18446744073709551615\r\n*0\r\n")).unwrap();
    assert_eq!(page.cursor, u64::MAX);
    // An odd number of HSCAN items does not make pairs.
    let odd: Result<ScanPage<(Bytes, Bytes)>, _> =
        FromValue::from_value(decode_one(b"*2\r\n$1\r\n0\r\n*1\r\n$1\r\na\r\n"));
    assert!(odd.is_err());
}
