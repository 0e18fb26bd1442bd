//! `ToArgs` and `Cmd`: what each argument type writes, and how a command is encoded.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::borrow::Cow;

use bytes::Bytes;
use ferrodis_commands::{ArgWriter, Cmd, ToArgs};

fn args_of<A: ToArgs>(a: A) -> Vec<Vec<u8>> {
    let cmd = Cmd::default().arg(a);
    cmd.args().map(<[u8]>::to_vec).collect()
}

fn strs(list: &[&str]) -> Vec<Vec<u8>> {
    list.iter().map(|s| s.as_bytes().to_vec()).collect()
}

#[test]
fn strings_and_bytes_are_one_argument_each() {
    assert_eq!(args_of("k"), strs(&["k"]));
    assert_eq!(args_of(String::from("k")), strs(&["k"]));
    assert_eq!(args_of(&b"\x00\xff"[..]), vec![vec![0, 255]]);
    assert_eq!(args_of(vec![1u8, 2, 3]), vec![vec![1, 2, 3]]);
    assert_eq!(args_of([1u8, 2]), vec![vec![1, 2]]);
    assert_eq!(args_of(Bytes::from_static(b"b")), strs(&["b"]));
    assert_eq!(args_of(Cow::Borrowed("c")), strs(&["c"]));
    assert_eq!(args_of(Cow::Borrowed(&b"d"[..])), strs(&["d"]));
    assert_eq!(args_of(Box::new("e")), strs(&["e"]));
    assert_eq!(args_of(""), strs(&[""]));
}

#[test]
fn integers_are_decimal_text() {
    assert_eq!(args_of(0u8), strs(&["0"]));
    assert_eq!(args_of(-1i8), strs(&["-1"]));
    assert_eq!(args_of(i64::MIN), strs(&["-9223372036854775808"]));
    assert_eq!(args_of(u64::MAX), strs(&["18446744073709551615"]));
    assert_eq!(args_of(usize::MAX), strs(&[&usize::MAX.to_string()]));
    assert_eq!(args_of(i128::MIN), strs(&[&i128::MIN.to_string()]));
    assert_eq!(args_of(u128::MAX), strs(&[&u128::MAX.to_string()]));
    assert_eq!(args_of(12345u32), strs(&["12345"]));
}

#[test]
fn floats_are_written_as_redis_reads_them() {
    assert_eq!(args_of(1.5f64), strs(&["1.5"]));
    assert_eq!(args_of(3.0f64), strs(&["3.0"]));
    assert_eq!(args_of(-0.25f64), strs(&["-0.25"]));
    assert_eq!(args_of(f64::INFINITY), strs(&["inf"]));
    assert_eq!(args_of(f64::NEG_INFINITY), strs(&["-inf"]));
    assert_eq!(args_of(0.1f32), strs(&["0.1"]));
    assert_eq!(args_of(f32::NEG_INFINITY), strs(&["-inf"]));
    assert_eq!(args_of(1e300f64), strs(&["1e300"]));
    // Every finite value reads back exactly.
    for x in [
        0.1,
        1.0 / 3.0,
        6.02214076e23,
        -1e-300,
        f64::MAX,
        f64::MIN_POSITIVE,
    ] {
        let text = String::from_utf8(args_of(x).remove(0)).unwrap();
        assert_eq!(text.parse::<f64>().unwrap(), x);
    }
}

#[test]
fn collections_write_one_argument_per_element() {
    assert_eq!(args_of(["a", "b"]), strs(&["a", "b"]));
    assert_eq!(args_of(vec!["a", "b", "c"]), strs(&["a", "b", "c"]));
    assert_eq!(args_of(&["a"][..]), strs(&["a"]));
    assert_eq!(args_of(vec![1i32, 2]), strs(&["1", "2"]));
    assert_eq!(args_of(("k", 1, 2.5)), strs(&["k", "1", "2.5"]));
    assert_eq!(
        args_of([(1.5, "alice"), (2.0, "bob")]),
        strs(&["1.5", "alice", "2.0", "bob"])
    );
    assert_eq!(args_of(vec![vec![1u8], vec![2u8]]), vec![vec![1], vec![2]]);
    assert_eq!(args_of(Vec::<String>::new()), Vec::<Vec<u8>>::new());
    assert_eq!(
        args_of(("a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l")).len(),
        12
    );
}

#[test]
fn a_command_encodes_as_an_array_of_bulk_strings() {
    let cmd = Cmd::new("SET").arg("key").arg("value");
    let mut out = Vec::new();
    cmd.write_to(&mut out);
    assert_eq!(out, b"*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n");
    assert_eq!(cmd.encoded_len(), out.len());
    assert_eq!(cmd.argc(), 3);
    assert_eq!(cmd.name(), b"SET");
    assert_eq!(cmd.arg_at(2), Some(&b"value"[..]));
    assert_eq!(cmd.arg_at(3), None);
    assert_eq!(format!("{cmd:?}"), r#"["SET", "key", "value"]"#);

    let mut reused = cmd.clone();
    reused.clear();
    assert!(reused.is_empty());
    reused.push_arg("PING");
    out.clear();
    reused.write_to(&mut out);
    assert_eq!(out, b"*1\r\n$4\r\nPING\r\n");
}

#[test]
fn binary_arguments_survive_the_round_trip() {
    let payload: Vec<u8> = (0..=255u8).collect();
    let cmd = Cmd::new("SET").arg("k").arg(&payload[..]).arg("$5\r\n");
    let args: Vec<&[u8]> = cmd.args().collect();
    assert_eq!(args, [&b"SET"[..], b"k", &payload[..], b"$5\r\n"]);
    let mut out = Vec::new();
    cmd.write_to(&mut out);
    let (value, used) = ferrodis_resp::decode(&out).unwrap().unwrap();
    assert_eq!(used, out.len());
    let ferrodis_resp::Value::Array(items) = value else {
        panic!()
    };
    assert_eq!(items.len(), 4);
}

/// A custom argument type.
struct UserId(u32);

impl ToArgs for UserId {
    fn write_args<W: ArgWriter + ?Sized>(&self, out: &mut W) {
        out.write_arg(format!("user:{}", self.0).as_bytes());
    }
}

#[test]
fn users_can_implement_to_args() {
    assert_eq!(args_of(UserId(7)), strs(&["user:7"]));
    assert_eq!(args_of([UserId(1), UserId(2)]), strs(&["user:1", "user:2"]));
}

#[test]
fn blocking_commands_know_how_long_they_block() {
    use std::time::Duration;
    assert_eq!(Cmd::new("GET").arg("k").blocking_timeout(), None);
    assert_eq!(
        Cmd::new("BLPOP")
            .arg("a")
            .arg("b")
            .arg(1.5)
            .blocking_timeout(),
        Some(Some(Duration::from_millis(1500)))
    );
    assert_eq!(
        Cmd::new("blpop").arg("a").arg(0).blocking_timeout(),
        Some(None)
    );
    assert_eq!(
        Cmd::new("BLMPOP")
            .arg(2)
            .arg(1)
            .arg("k")
            .arg("LEFT")
            .blocking_timeout(),
        Some(Some(Duration::from_secs(2)))
    );
    assert_eq!(
        Cmd::new("XREAD")
            .arg("BLOCK")
            .arg(250)
            .arg("STREAMS")
            .arg("s")
            .arg("$")
            .blocking_timeout(),
        Some(Some(Duration::from_millis(250)))
    );
    assert_eq!(
        Cmd::new("XREAD")
            .arg("STREAMS")
            .arg("s")
            .arg("0")
            .blocking_timeout(),
        None
    );
    assert_eq!(
        Cmd::new("WAIT").arg(1).arg(0).blocking_timeout(),
        Some(None)
    );
    assert_eq!(
        Cmd::new("BLPOP").arg("a").arg("soon").blocking_timeout(),
        Some(Some(Duration::ZERO))
    );
    // Every command the table flags as blocking and that has a timeout is known here.
    for name in [
        "BLPOP",
        "BRPOP",
        "BLMOVE",
        "BRPOPLPUSH",
        "BZPOPMIN",
        "BZPOPMAX",
        "BLMPOP",
        "BZMPOP",
    ] {
        let info = ferrodis_commands::lookup(name.as_bytes(), None).unwrap();
        assert!(info.flags.is_blocking(), "{name}");
    }
}
