//! The hand-written wrappers of `strings.rs`, `sorted_sets.rs` and `misc.rs`: the exact
//! arguments each one writes (options in Redis's order whatever the builder order, bounds,
//! numkeys), that each default reply type converts the replies a real redis-server 7.0
//! sends (RESP2 and RESP3 bytes captured from one), and that the JSON entries the
//! generator reads name real commands and match the constructors.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use bytes::Bytes;
use ferrodis_commands::commands::*;
use ferrodis_commands::{Cmd, Error, FromValue, Typed, Value};

/// The arguments of a command, as text.
fn args<R>(typed: &Typed<R>) -> Vec<String> {
    typed
        .cmd()
        .args()
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect()
}

/// Converts a reply into the default reply type of `typed`.
fn reply<R: FromValue>(_typed: &Typed<R>, value: Value) -> R {
    R::from_value(value).unwrap()
}

/// Decodes raw RESP bytes (as captured from redis-server) and converts them into the
/// default reply type of `typed`.
fn wire<R: FromValue>(typed: &Typed<R>, raw: &[u8]) -> R {
    let (value, used) = ferrodis_resp::decode(raw).unwrap().unwrap();
    assert_eq!(used, raw.len(), "trailing bytes in {raw:?}");
    reply(typed, value)
}

fn bulk(s: &str) -> Value {
    Value::BulkString(Bytes::copy_from_slice(s.as_bytes()))
}

fn b(s: &str) -> Bytes {
    Bytes::copy_from_slice(s.as_bytes())
}

fn no_keys() -> [&'static str; 0] {
    [""; 0]
}

// =======================================================================================
// strings.rs
// =======================================================================================

#[test]
fn set_options_canonical_order() {
    assert_eq!(
        args(&set_options("k", "v", &SetOptions::new())),
        ["SET", "k", "v"]
    );
    let a = SetOptions::new().ex(60).nx();
    let z = SetOptions::new().nx().ex(60);
    assert_eq!(a, z);
    assert_eq!(
        args(&set_options("k", "v", &a)),
        ["SET", "k", "v", "NX", "EX", "60"]
    );
    assert_eq!(
        args(&set_options("k", "v", &z)),
        ["SET", "k", "v", "NX", "EX", "60"]
    );
    // Within a group, the last call wins.
    let o = SetOptions::new().nx().px(5).xx().pxat(1_700_000_000_000);
    assert_eq!(
        args(&set_options("k", 1, &o)),
        ["SET", "k", "1", "XX", "PXAT", "1700000000000"]
    );
    assert_eq!(
        args(&set_options("k", "v", &SetOptions::new().keepttl())),
        ["SET", "k", "v", "KEEPTTL"]
    );
    assert_eq!(
        args(&set_options(
            "k",
            "v",
            &SetOptions::new().exat(1_700_000_000).xx()
        )),
        ["SET", "k", "v", "XX", "EXAT", "1700000000"]
    );
    assert_eq!(
        args(&set_options("k", "v", &SetOptions::new().px(1500))),
        ["SET", "k", "v", "PX", "1500"]
    );
}

#[test]
fn set_get_puts_get_between_condition_and_expiry() {
    assert_eq!(
        args(&set_get("k", "v", &SetOptions::new().ex(10).nx())),
        ["SET", "k", "v", "NX", "GET", "EX", "10"]
    );
    assert_eq!(
        args(&set_get("k", "v", &SetOptions::new())),
        ["SET", "k", "v", "GET"]
    );
}

#[test]
fn set_options_as_args_of_a_hand_built_cmd() {
    let cmd = Cmd::new("SET")
        .arg("k")
        .arg("v")
        .arg(SetOptions::new().keepttl().xx());
    let got: Vec<&[u8]> = cmd.args().collect();
    assert_eq!(got, [&b"SET"[..], b"k", b"v", b"XX", b"KEEPTTL"]);
}

#[test]
fn set_replies() {
    let set = set_options("k", "v", &SetOptions::new().nx());
    assert!(wire(&set, b"+OK\r\n"));
    assert!(!wire(&set, b"$-1\r\n")); // RESP2 nil: NX not met
    assert!(!wire(&set, b"_\r\n")); // RESP3 nil
    let get = set_get("k", "v2", &SetOptions::new());
    assert_eq!(wire(&get, b"$1\r\nv\r\n"), Some(b("v")));
    assert_eq!(wire(&get, b"$-1\r\n"), None);
    assert_eq!(wire(&get, b"_\r\n"), None);
    // A wrong-type key is a server error, not a conversion error.
    let err = <Option<Bytes>>::from_value(Value::SimpleError(b(
        "WRONGTYPE Operation against a key holding the wrong kind of value",
    )));
    assert!(matches!(err, Err(Error::Server(_))));
}

#[test]
fn getex_options_args_and_reply() {
    assert_eq!(
        args(&getex_options("k", &GetExOptions::new())),
        ["GETEX", "k"]
    );
    assert_eq!(
        args(&getex_options("k", &GetExOptions::new().persist())),
        ["GETEX", "k", "PERSIST"]
    );
    assert_eq!(
        args(&getex_options("k", &GetExOptions::new().persist().ex(100))),
        ["GETEX", "k", "EX", "100"]
    );
    assert_eq!(
        args(&getex_options("k", &GetExOptions::new().px(7))),
        ["GETEX", "k", "PX", "7"]
    );
    assert_eq!(
        args(&getex_options("k", &GetExOptions::new().exat(3))),
        ["GETEX", "k", "EXAT", "3"]
    );
    assert_eq!(
        args(&getex_options("k", &GetExOptions::new().pxat(4))),
        ["GETEX", "k", "PXAT", "4"]
    );
    let cmd = getex_options("k", &GetExOptions::new());
    assert_eq!(wire(&cmd, b"$6\r\nfoobar\r\n"), Some(b("foobar")));
    assert_eq!(wire(&cmd, b"_\r\n"), None);
}

#[test]
fn expire_family() {
    assert_eq!(
        args(&expire_options("k", 100, ExpireCondition::Nx)),
        ["EXPIRE", "k", "100", "NX"]
    );
    assert_eq!(
        args(&pexpire_options("k", -1, ExpireCondition::Xx)),
        ["PEXPIRE", "k", "-1", "XX"]
    );
    assert_eq!(
        args(&expireat_options("k", 1_700_000_000, ExpireCondition::Gt)),
        ["EXPIREAT", "k", "1700000000", "GT"]
    );
    assert_eq!(
        args(&pexpireat_options(
            "k",
            99_999_999_999_999,
            ExpireCondition::Lt
        )),
        ["PEXPIREAT", "k", "99999999999999", "LT"]
    );
    assert_eq!(
        args(&expire_options("k", 5, ExpireCondition::XxGt)),
        ["EXPIRE", "k", "5", "XX", "GT"]
    );
    assert_eq!(
        args(&expire_options("k", 5, ExpireCondition::XxLt)),
        ["EXPIRE", "k", "5", "XX", "LT"]
    );
    let cmd = expire_options("k", 100, ExpireCondition::Gt);
    assert!(wire(&cmd, b":1\r\n"));
    assert!(!wire(&cmd, b":0\r\n"));
}

#[test]
fn lpos_both_shapes() {
    assert_eq!(
        args(&lpos_options("l", "a", &LPosOptions::new())),
        ["LPOS", "l", "a"]
    );
    let o = LPosOptions::new().maxlen(1000).rank(-2);
    assert_eq!(
        args(&lpos_options("l", "a", &o)),
        ["LPOS", "l", "a", "RANK", "-2", "MAXLEN", "1000"]
    );
    // COUNT goes between RANK and MAXLEN.
    assert_eq!(
        args(&lpos_count("l", "a", 0, &o)),
        ["LPOS", "l", "a", "RANK", "-2", "COUNT", "0", "MAXLEN", "1000"]
    );
    assert_eq!(
        args(&lpos_count("l", "a", 3, &LPosOptions::new())),
        ["LPOS", "l", "a", "COUNT", "3"]
    );

    let one = lpos_options("l", "a", &LPosOptions::new());
    assert_eq!(wire(&one, b":0\r\n"), Some(0));
    assert_eq!(wire(&one, b"$-1\r\n"), None);
    assert_eq!(wire(&one, b"_\r\n"), None);
    let many = lpos_count("l", "a", 0, &LPosOptions::new());
    assert_eq!(wire(&many, b"*2\r\n:0\r\n:3\r\n"), vec![0, 3]);
    assert_eq!(wire(&many, b"*0\r\n"), Vec::<i64>::new());
}

#[test]
fn bitfield_ops_keep_their_order() {
    let ops = BitFieldOps::new()
        .set(BitFieldType::U8, BitFieldOffset::Index(1), 200)
        .get(BitFieldType::U8, 8u64)
        .overflow(BitFieldOverflow::Fail)
        .incrby(BitFieldType::U8, 8u64, 100)
        .get(BitFieldType::Signed(5), 0u64)
        .overflow(BitFieldOverflow::Sat)
        .incrby(BitFieldType::I64, BitFieldOffset::Bit(u64::MAX), -1)
        .overflow(BitFieldOverflow::Wrap)
        .set(BitFieldType::Unsigned(1), BitFieldOffset::Index(0), 1);
    assert_eq!(ops.len(), 9);
    assert!(!ops.is_empty());
    assert_eq!(
        args(&bitfield_ops("bf", &ops)),
        [
            "BITFIELD",
            "bf",
            "SET",
            "u8",
            "#1",
            "200",
            "GET",
            "u8",
            "8",
            "OVERFLOW",
            "FAIL",
            "INCRBY",
            "u8",
            "8",
            "100",
            "GET",
            "i5",
            "0",
            "OVERFLOW",
            "SAT",
            "INCRBY",
            "i64",
            "18446744073709551615",
            "-1",
            "OVERFLOW",
            "WRAP",
            "SET",
            "u1",
            "#0",
            "1"
        ]
    );
    assert_eq!(
        args(&bitfield_ops("bf", &BitFieldOps::new())),
        ["BITFIELD", "bf"]
    );
    assert_eq!(BitFieldType::I16.bits(), 16);
    assert_eq!(BitFieldType::U32, BitFieldType::Unsigned(32));
    assert_eq!(BitFieldOffset::from(7u64), BitFieldOffset::Bit(7));

    // Captured: BITFIELD bf SET u8 #1 200 GET u8 8 OVERFLOW FAIL INCRBY u8 8 100 GET i5 0
    let cmd = bitfield_ops("bf", &ops);
    assert_eq!(
        wire(&cmd, b"*4\r\n:0\r\n:200\r\n$-1\r\n:0\r\n"),
        vec![Some(0), Some(200), None, Some(0)]
    );
    assert_eq!(
        wire(&cmd, b"*4\r\n:200\r\n:200\r\n_\r\n:0\r\n"),
        vec![Some(200), Some(200), None, Some(0)]
    );
}

#[test]
fn bitfield_ro_only_gets() {
    let cmd = bitfield_ro_ops(
        "bf",
        &[
            (BitFieldType::U8, BitFieldOffset::Index(1)),
            (BitFieldType::Signed(3), BitFieldOffset::Bit(2)),
        ],
    );
    assert_eq!(
        args(&cmd),
        ["BITFIELD_RO", "bf", "GET", "u8", "#1", "GET", "i3", "2"]
    );
    assert_eq!(args(&bitfield_ro_ops("bf", &[])), ["BITFIELD_RO", "bf"]);
    assert_eq!(wire(&cmd, b"*1\r\n:200\r\n"), vec![200]);
}

#[test]
fn bitcount_and_bitpos_ranges() {
    assert_eq!(
        args(&bitcount_range("k", 0, -1, BitUnit::Byte)),
        ["BITCOUNT", "k", "0", "-1"]
    );
    assert_eq!(
        args(&bitcount_range("k", 1, 1, BitUnit::Bit)),
        ["BITCOUNT", "k", "1", "1", "BIT"]
    );
    assert_eq!(
        args(&bitpos_range("k", true, 2, None, BitUnit::Byte)),
        ["BITPOS", "k", "1", "2"]
    );
    assert_eq!(
        args(&bitpos_range("k", false, 2, Some(-1), BitUnit::Byte)),
        ["BITPOS", "k", "0", "2", "-1"]
    );
    // BIT needs an end before it: -1 (the end of the string) when none is given.
    assert_eq!(
        args(&bitpos_range("k", true, 2, None, BitUnit::Bit)),
        ["BITPOS", "k", "1", "2", "-1", "BIT"]
    );
    assert_eq!(
        args(&bitpos_range("k", true, 0, Some(7), BitUnit::Bit)),
        ["BITPOS", "k", "1", "0", "7", "BIT"]
    );
    assert_eq!(BitUnit::default(), BitUnit::Byte);
    assert_eq!(
        wire(&bitcount_range("k", 0, -1, BitUnit::Bit), b":26\r\n"),
        26
    );
    assert_eq!(
        wire(
            &bitpos_range("k", false, 0, None, BitUnit::Byte),
            b":-1\r\n"
        ),
        -1
    );
}

#[test]
fn copy_options_args_and_reply() {
    assert_eq!(
        args(&copy_options("a", "b", &CopyOptions::new())),
        ["COPY", "a", "b"]
    );
    assert_eq!(
        args(&copy_options("a", "b", &CopyOptions::new().replace().db(1))),
        ["COPY", "a", "b", "DB", "1", "REPLACE"]
    );
    let cmd = copy_options("a", "b", &CopyOptions::new());
    assert!(wire(&cmd, b":1\r\n"));
    assert!(!wire(&cmd, b":0\r\n"));
}

#[test]
fn lmpop_counts_keys() {
    assert_eq!(
        args(&lmpop_keys(["l1", "l2"], ListEnd::Left, Some(2))),
        ["LMPOP", "2", "l1", "l2", "LEFT", "COUNT", "2"]
    );
    assert_eq!(
        args(&lmpop_keys("l", ListEnd::Right, None)),
        ["LMPOP", "1", "l", "RIGHT"]
    );
    // A binary key is one key, not one per byte.
    assert_eq!(
        args(&lmpop_keys(
            vec![b"\x01\x02".to_vec(), b"x".to_vec()],
            ListEnd::Left,
            None
        )),
        ["LMPOP", "2", "\u{1}\u{2}", "x", "LEFT"]
    );
    assert_eq!(
        args(&lmpop_keys(
            vec!["a".to_string(), "b".into(), "c".into()],
            ListEnd::Left,
            None
        )),
        ["LMPOP", "3", "a", "b", "c", "LEFT"]
    );
    assert_eq!(
        args(&blmpop_keys(0.5, ("a", "b"), ListEnd::Right, Some(10))),
        ["BLMPOP", "0.5", "2", "a", "b", "RIGHT", "COUNT", "10"]
    );
    assert_eq!(
        args(&blmpop_keys(0.0, "a", ListEnd::Left, None)),
        ["BLMPOP", "0.0", "1", "a", "LEFT"]
    );

    let cmd = lmpop_keys("l", ListEnd::Left, Some(2));
    // The same bytes in RESP2 and RESP3; nil differs.
    assert_eq!(
        wire(&cmd, b"*2\r\n$1\r\nl\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n"),
        Some((b("l"), vec![b("a"), b("b")]))
    );
    assert_eq!(wire(&cmd, b"*-1\r\n"), None);
    assert_eq!(wire(&cmd, b"_\r\n"), None);
}

// =======================================================================================
// sorted_sets.rs
// =======================================================================================

#[test]
fn zadd_options_and_incr() {
    assert_eq!(
        args(&zadd_options(
            "z",
            [(1.0, "a"), (2.5, "b")],
            &ZAddOptions::new()
        )),
        ["ZADD", "z", "1.0", "a", "2.5", "b"]
    );
    let o = ZAddOptions::new().ch().gt().xx();
    assert_eq!(o, ZAddOptions::new().xx().gt().ch());
    let members: &[(f64, &str)] = &[(f64::NEG_INFINITY, "low"), (f64::INFINITY, "high")];
    assert_eq!(
        args(&zadd_options("z", members, &o)),
        ["ZADD", "z", "XX", "GT", "CH", "-inf", "low", "inf", "high"]
    );
    // Last call wins in each group.
    assert_eq!(
        args(&zadd_options(
            "z",
            (3, "c"),
            &ZAddOptions::new().xx().nx().gt().lt()
        )),
        ["ZADD", "z", "NX", "LT", "3", "c"]
    );
    assert_eq!(
        args(&zadd_incr("z", 1.5, "a", &ZAddOptions::new().nx())),
        ["ZADD", "z", "NX", "INCR", "1.5", "a"]
    );
    assert_eq!(
        args(&zadd_incr(
            "z",
            -2.0,
            "a",
            &ZAddOptions::new().ch().lt().xx()
        )),
        ["ZADD", "z", "XX", "LT", "CH", "INCR", "-2.0", "a"]
    );

    assert_eq!(wire(&zadd_options("z", (1, "a"), &o), b":3\r\n"), 3);
    let incr = zadd_incr("z", 1.0, "a", &ZAddOptions::new());
    assert_eq!(wire(&incr, b"$1\r\n1\r\n"), Some(1.0)); // RESP2
    assert_eq!(wire(&incr, b",1\r\n"), Some(1.0)); // RESP3
    assert_eq!(wire(&incr, b"$-1\r\n"), None);
    assert_eq!(wire(&incr, b"_\r\n"), None);
    assert_eq!(wire(&incr, b"$3\r\ninf\r\n"), Some(f64::INFINITY));
}

#[test]
fn score_and_lex_bounds() {
    fn one<T: ferrodis_commands::ToArgs>(x: T) -> String {
        let cmd = Cmd::new("X").arg(x);
        String::from_utf8_lossy(cmd.arg_at(1).unwrap()).into_owned()
    }
    assert_eq!(one(ScoreBound::Inclusive(1.5)), "1.5");
    assert_eq!(one(ScoreBound::Inclusive(-3.0)), "-3.0");
    assert_eq!(one(ScoreBound::Exclusive(1.5)), "(1.5");
    assert_eq!(one(ScoreBound::Exclusive(-0.25)), "(-0.25");
    assert_eq!(one(ScoreBound::NegInf), "-inf");
    assert_eq!(one(ScoreBound::PosInf), "+inf");
    assert_eq!(one(ScoreBound::Inclusive(f64::INFINITY)), "inf");
    assert_eq!(one(ScoreBound::Inclusive(f64::NEG_INFINITY)), "-inf");
    assert_eq!(one(ScoreBound::Exclusive(f64::NEG_INFINITY)), "(-inf");
    assert_eq!(one(ScoreBound::Exclusive(f64::INFINITY)), "(inf");
    assert_eq!(one(ScoreBound::Exclusive(1e300)), "(1e300");
    assert_eq!(one(ScoreBound::from(2.0)), "2.0");
    assert_eq!(one(LexBound::inclusive("a")), "[a");
    assert_eq!(one(LexBound::exclusive("abc")), "(abc");
    assert_eq!(one(LexBound::inclusive("")), "[");
    assert_eq!(one(LexBound::NegInf), "-");
    assert_eq!(one(LexBound::PosInf), "+");
    let cmd = Cmd::new("X").arg(LexBound::exclusive([0xffu8, 0]));
    assert_eq!(cmd.arg_at(1).unwrap(), b"(\xff\x00");
}

#[test]
fn zrange_by_rank_score_and_lex() {
    let none = ZRangeOptions::new();
    assert_eq!(
        args(&zrange_options("z", ZRange::all(), &none)),
        ["ZRANGE", "z", "0", "-1"]
    );
    assert_eq!(
        args(&zrange_options(
            "z",
            ZRange::rank(0, -1),
            &ZRangeOptions::new().rev()
        )),
        ["ZRANGE", "z", "0", "-1", "REV"]
    );
    assert_eq!(
        args(&zrange_options(
            "z",
            ZRange::score(ScoreBound::Exclusive(1.0), ScoreBound::PosInf),
            &none
        )),
        ["ZRANGE", "z", "(1.0", "+inf", "BYSCORE"]
    );
    // With REV the bounds are written high to low, and the options keep Redis's order
    // whatever order the builder was called in.
    let rev_limit = ZRangeOptions::new().limit(0, 2).rev();
    assert_eq!(rev_limit, ZRangeOptions::new().rev().limit(0, 2));
    assert_eq!(
        args(&zrange_options(
            "z",
            ZRange::score(ScoreBound::Exclusive(1.0), ScoreBound::PosInf),
            &rev_limit
        )),
        ["ZRANGE", "z", "+inf", "(1.0", "BYSCORE", "REV", "LIMIT", "0", "2"]
    );
    assert_eq!(
        args(&zrange_options("z", ZRange::score(1, 2.5), &none)),
        ["ZRANGE", "z", "1.0", "2.5", "BYSCORE"]
    );
    assert_eq!(
        args(&zrange_options(
            "zl",
            ZRange::lex(LexBound::exclusive("b"), LexBound::PosInf),
            &rev_limit
        )),
        ["ZRANGE", "zl", "+", "(b", "BYLEX", "REV", "LIMIT", "0", "2"]
    );
    assert_eq!(
        args(&zrange_options(
            "zl",
            ZRange::lex(LexBound::NegInf, LexBound::inclusive("m")),
            &ZRangeOptions::new().limit(5, -1)
        )),
        ["ZRANGE", "zl", "-", "[m", "BYLEX", "LIMIT", "5", "-1"]
    );
    assert_eq!(
        args(&zrange_withscores(
            "z",
            ZRange::score(ScoreBound::NegInf, ScoreBound::PosInf),
            &none
        )),
        ["ZRANGE", "z", "-inf", "+inf", "BYSCORE", "WITHSCORES"]
    );
    assert_eq!(
        args(&zrange_withscores(
            "z",
            ZRange::rank(0, 9),
            &ZRangeOptions::new().rev()
        )),
        ["ZRANGE", "z", "0", "9", "REV", "WITHSCORES"]
    );
    assert_eq!(
        args(&zrangestore_options(
            "dst",
            "z",
            ZRange::score(0.0, 1.0),
            &ZRangeOptions::new().rev()
        )),
        ["ZRANGESTORE", "dst", "z", "1.0", "0.0", "BYSCORE", "REV"]
    );
    assert_eq!(
        args(&zrangestore_options("dst", "z", ZRange::rank(1, 2), &none)),
        ["ZRANGESTORE", "dst", "z", "1", "2"]
    );
}

/// `ZRANGE z 0 -1 WITHSCORES` as redis-server 7.0 sends it in RESP2 and in RESP3.
const WITHSCORES_RESP2: &[u8] =
    b"*6\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$3\r\n3.5\r\n";
const WITHSCORES_RESP3: &[u8] =
    b"*3\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\nb\r\n,2\r\n*2\r\n$1\r\nc\r\n,3.5\r\n";

fn scored() -> Vec<(Bytes, f64)> {
    vec![(b("a"), 1.0), (b("b"), 2.0), (b("c"), 3.5)]
}

#[test]
fn zrange_replies() {
    let plain = zrange_options("z", ZRange::all(), &ZRangeOptions::new());
    assert_eq!(
        wire(&plain, b"*2\r\n$1\r\nc\r\n$1\r\nb\r\n"),
        vec![b("c"), b("b")]
    );
    assert_eq!(wire(&plain, b"*0\r\n"), Vec::<Bytes>::new());
    let with = zrange_withscores("z", ZRange::all(), &ZRangeOptions::new());
    assert_eq!(wire(&with, WITHSCORES_RESP2), scored());
    assert_eq!(wire(&with, WITHSCORES_RESP3), scored());
    assert_eq!(wire(&with, b"*0\r\n"), vec![]);
    // Infinite scores, both protocols.
    assert_eq!(
        reply(
            &with,
            Value::Array(vec![bulk("x"), bulk("-inf"), bulk("y"), bulk("inf")])
        ),
        vec![(b("x"), f64::NEG_INFINITY), (b("y"), f64::INFINITY)]
    );
    assert_eq!(
        reply(
            &with,
            Value::Array(vec![Value::Array(vec![
                bulk("y"),
                Value::Double(f64::INFINITY)
            ])])
        ),
        vec![(b("y"), f64::INFINITY)]
    );
    assert_eq!(
        wire(
            &zrangestore_options("d", "z", ZRange::all(), &ZRangeOptions::new()),
            b":1\r\n"
        ),
        1
    );
}

#[test]
fn legacy_range_by_score_and_lex() {
    assert_eq!(
        args(&zrangebyscore_options(
            "z",
            ScoreBound::NegInf,
            ScoreBound::PosInf,
            None
        )),
        ["ZRANGEBYSCORE", "z", "-inf", "+inf"]
    );
    // WITHSCORES comes before LIMIT in ZRANGEBYSCORE's syntax.
    assert_eq!(
        args(&zrangebyscore_withscores(
            "z",
            ScoreBound::Exclusive(1.0),
            5.0.into(),
            Some((0, 10))
        )),
        [
            "ZRANGEBYSCORE",
            "z",
            "(1.0",
            "5.0",
            "WITHSCORES",
            "LIMIT",
            "0",
            "10"
        ]
    );
    assert_eq!(
        args(&zrevrangebyscore_options(
            "z",
            ScoreBound::PosInf,
            ScoreBound::Exclusive(2.0),
            Some((1, 1))
        )),
        ["ZREVRANGEBYSCORE", "z", "+inf", "(2.0", "LIMIT", "1", "1"]
    );
    assert_eq!(
        args(&zrevrangebyscore_withscores(
            "z",
            10.0.into(),
            ScoreBound::NegInf,
            None
        )),
        ["ZREVRANGEBYSCORE", "z", "10.0", "-inf", "WITHSCORES"]
    );
    assert_eq!(
        args(&zrangebylex_options(
            "z",
            LexBound::NegInf,
            LexBound::exclusive("c"),
            Some((0, 5))
        )),
        ["ZRANGEBYLEX", "z", "-", "(c", "LIMIT", "0", "5"]
    );
    assert_eq!(
        args(&zrevrangebylex_options(
            "z",
            LexBound::inclusive("c"),
            LexBound::NegInf,
            None
        )),
        ["ZREVRANGEBYLEX", "z", "[c", "-"]
    );
    let with = zrangebyscore_withscores("z", ScoreBound::NegInf, ScoreBound::PosInf, None);
    assert_eq!(wire(&with, WITHSCORES_RESP2), scored());
    assert_eq!(wire(&with, WITHSCORES_RESP3), scored());
    let rev = zrevrangebyscore_withscores("z", ScoreBound::PosInf, ScoreBound::NegInf, None);
    assert_eq!(wire(&rev, WITHSCORES_RESP3), scored());
    let lex = zrangebylex_options("z", LexBound::NegInf, LexBound::PosInf, None);
    assert_eq!(wire(&lex, b"*1\r\n$1\r\nc\r\n"), vec![b("c")]);
}

#[test]
fn union_inter_diff_count_keys_and_order_options() {
    let none = ZCombineOptions::new();
    assert_eq!(
        args(&zunion_options(["a", "b"], &none)),
        ["ZUNION", "2", "a", "b"]
    );
    let o = ZCombineOptions::new()
        .aggregate(ZAggregate::Max)
        .weights([1.0, 2.5]);
    assert_eq!(
        o,
        ZCombineOptions::new()
            .weights(vec![1.0, 2.5])
            .aggregate(ZAggregate::Max)
    );
    assert_eq!(
        args(&zunion_withscores(["a", "b"], &o)),
        [
            "ZUNION",
            "2",
            "a",
            "b",
            "WEIGHTS",
            "1.0",
            "2.5",
            "AGGREGATE",
            "MAX",
            "WITHSCORES"
        ]
    );
    assert_eq!(
        args(&zunionstore_options(
            "out",
            vec!["a", "b", "c"],
            &ZCombineOptions::new().aggregate(ZAggregate::Sum)
        )),
        ["ZUNIONSTORE", "out", "3", "a", "b", "c", "AGGREGATE", "SUM"]
    );
    assert_eq!(
        args(&zinter_options(
            "a",
            &ZCombineOptions::new().weights([f64::INFINITY])
        )),
        ["ZINTER", "1", "a", "WEIGHTS", "inf"]
    );
    assert_eq!(
        args(&zinter_withscores(
            ("a", "b"),
            &ZCombineOptions::new().aggregate(ZAggregate::Min)
        )),
        ["ZINTER", "2", "a", "b", "AGGREGATE", "MIN", "WITHSCORES"]
    );
    assert_eq!(
        args(&zinterstore_options("out", ["a", "b"], &o)),
        [
            "ZINTERSTORE",
            "out",
            "2",
            "a",
            "b",
            "WEIGHTS",
            "1.0",
            "2.5",
            "AGGREGATE",
            "MAX"
        ]
    );
    assert_eq!(args(&zdiff_keys(["a", "b"])), ["ZDIFF", "2", "a", "b"]);
    assert_eq!(
        args(&zdiff_withscores(["a"])),
        ["ZDIFF", "1", "a", "WITHSCORES"]
    );
    assert_eq!(
        args(&zdiffstore_keys("out", ["a", "b"])),
        ["ZDIFFSTORE", "out", "2", "a", "b"]
    );
    // No keys: numkeys 0 (the server refuses it, with its own message).
    assert_eq!(args(&zdiff_keys(no_keys())), ["ZDIFF", "0"]);

    assert_eq!(
        wire(&zunion_withscores(["z"], &none), WITHSCORES_RESP2),
        scored()
    );
    assert_eq!(
        wire(&zunion_withscores(["z"], &none), WITHSCORES_RESP3),
        scored()
    );
    assert_eq!(
        wire(
            &zinter_withscores(["z", "z2"], &o),
            b"*2\r\n$1\r\na\r\n$1\r\n1\r\n"
        ),
        vec![(b("a"), 1.0)]
    );
    assert_eq!(wire(&zdiff_withscores(["z"]), WITHSCORES_RESP3), scored());
    assert_eq!(
        wire(&zinter_options(["z"], &none), b"*1\r\n$1\r\na\r\n"),
        vec![b("a")]
    );
    assert_eq!(wire(&zdiff_keys(["z"]), b"*0\r\n"), Vec::<Bytes>::new());
    assert_eq!(wire(&zunionstore_options("o", ["z"], &none), b":4\r\n"), 4);
    assert_eq!(wire(&zinterstore_options("o", ["z"], &none), b":0\r\n"), 0);
    assert_eq!(wire(&zdiffstore_keys("o", ["z"]), b":2\r\n"), 2);
}

#[test]
fn zmpop_and_bzmpop() {
    assert_eq!(
        args(&zmpop_keys(["z1", "z2"], ScoreEnd::Min, Some(2))),
        ["ZMPOP", "2", "z1", "z2", "MIN", "COUNT", "2"]
    );
    assert_eq!(
        args(&zmpop_keys("z", ScoreEnd::Max, None)),
        ["ZMPOP", "1", "z", "MAX"]
    );
    assert_eq!(
        args(&bzmpop_keys(1.5, ["z"], ScoreEnd::Max, Some(1))),
        ["BZMPOP", "1.5", "1", "z", "MAX", "COUNT", "1"]
    );
    let cmd = zmpop_keys("z", ScoreEnd::Min, Some(2));
    let popped = Some((b("z"), vec![(b("a"), 1.0), (b("b"), 2.0)]));
    assert_eq!(
        wire(
            &cmd,
            b"*2\r\n$1\r\nz\r\n*2\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n"
        ),
        popped
    );
    assert_eq!(
        wire(
            &cmd,
            b"*2\r\n$1\r\nz\r\n*2\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\nb\r\n,2\r\n"
        ),
        popped
    );
    assert_eq!(wire(&cmd, b"*-1\r\n"), None);
    assert_eq!(wire(&cmd, b"_\r\n"), None);
    assert_eq!(
        wire(&bzmpop_keys(0.0, "z", ScoreEnd::Min, None), b"_\r\n"),
        None
    );
}

#[test]
fn zrandmember_count_and_withscores() {
    assert_eq!(
        args(&zrandmember_count("z", -5)),
        ["ZRANDMEMBER", "z", "-5"]
    );
    assert_eq!(
        args(&zrandmember_withscores("z", 2)),
        ["ZRANDMEMBER", "z", "2", "WITHSCORES"]
    );
    let with = zrandmember_withscores("z", 2);
    let two = vec![(b("a"), 1.0), (b("b"), 2.0)];
    assert_eq!(
        wire(&with, b"*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n"),
        two
    );
    assert_eq!(
        wire(
            &with,
            b"*2\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\nb\r\n,2\r\n"
        ),
        two
    );
    assert_eq!(
        wire(&zrandmember_count("nokey", 5), b"*0\r\n"),
        Vec::<Bytes>::new()
    );
}

#[test]
fn intercard_counts_keys() {
    assert_eq!(
        args(&zintercard_keys(["a", "b"], Some(0))),
        ["ZINTERCARD", "2", "a", "b", "LIMIT", "0"]
    );
    assert_eq!(args(&zintercard_keys("a", None)), ["ZINTERCARD", "1", "a"]);
    assert_eq!(
        args(&sintercard_keys(vec!["s1", "s2", "s3"], Some(10))),
        ["SINTERCARD", "3", "s1", "s2", "s3", "LIMIT", "10"]
    );
    assert_eq!(wire(&zintercard_keys(["z"], None), b":2\r\n"), 2);
    assert_eq!(wire(&sintercard_keys(["s"], None), b":0\r\n"), 0);
}

// =======================================================================================
// misc.rs
// =======================================================================================

#[test]
fn client_kill_filter_canonical_order() {
    let f = ClientKillFilter::new()
        .maxage(30)
        .skipme(true)
        .laddr("127.0.0.1:6380")
        .addr("10.0.0.1:5555")
        .user("app")
        .client_type(ClientType::Replica)
        .id(42);
    assert_eq!(
        args(&client_kill_filter(&f)),
        [
            "CLIENT",
            "KILL",
            "ID",
            "42",
            "TYPE",
            "replica",
            "USER",
            "app",
            "ADDR",
            "10.0.0.1:5555",
            "LADDR",
            "127.0.0.1:6380",
            "SKIPME",
            "yes",
            "MAXAGE",
            "30"
        ]
    );
    assert_eq!(
        args(&client_kill_filter(&ClientKillFilter::new().id(1).id(2))),
        ["CLIENT", "KILL", "ID", "2"]
    );
    for (t, s) in [
        (ClientType::Normal, "normal"),
        (ClientType::Master, "master"),
        (ClientType::Replica, "replica"),
        (ClientType::Pubsub, "pubsub"),
    ] {
        assert_eq!(
            args(&client_kill_filter(
                &ClientKillFilter::new().client_type(t).skipme(false)
            )),
            ["CLIENT", "KILL", "TYPE", s, "SKIPME", "no"]
        );
    }
    assert_eq!(wire(&client_kill_filter(&f), b":0\r\n"), 0);
}

#[test]
fn client_list_and_pause() {
    assert_eq!(
        args(&client_list_type(ClientType::Normal)),
        ["CLIENT", "LIST", "TYPE", "normal"]
    );
    assert_eq!(
        args(&client_list_ids([1u64, 2, 3])),
        ["CLIENT", "LIST", "ID", "1", "2", "3"]
    );
    assert_eq!(args(&client_list_ids(7)), ["CLIENT", "LIST", "ID", "7"]);
    // Captured from redis-server 7.0: CLIENT LIST TYPE normal in RESP2 (a bulk string)
    // and RESP3 (a verbatim string).
    let list = client_list_type(ClientType::Normal);
    let line = "id=4 addr=/tmp/engd.sock:0 laddr=/tmp/engd.sock:0 fd=7 name= age=9 idle=0 \
                flags=U db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=48 qbuf-free=20426 argv-mem=20 \
                multi-mem=0 rbs=1024 rbp=29 obl=0 oll=0 omem=0 tot-mem=22324 events=r \
                cmd=client|list user=default redir=-1 resp=2\n";
    let resp2 = format!("${}\r\n{line}\r\n", line.len());
    let resp3 = format!("={}\r\ntxt:{line}\r\n", line.len() + 4);
    for raw in [resp2, resp3] {
        let clients = wire(&list, raw.as_bytes()).clients;
        assert_eq!(clients.len(), 1);
        assert_eq!(clients[0].id, 4);
        assert_eq!(clients[0].user.as_deref(), Some("default"));
        // The text itself, for callers who ask for it.
        assert_eq!(
            String::from_value(ferrodis_resp::decode(raw.as_bytes()).unwrap().unwrap().0).unwrap(),
            line
        );
    }
    assert!(wire(&client_list_ids([1]), b"$0\r\n\r\n")
        .clients
        .is_empty());

    assert_eq!(
        args(&client_pause_options(10, ClientPauseMode::Write)),
        ["CLIENT", "PAUSE", "10", "WRITE"]
    );
    assert_eq!(
        args(&client_pause_options(0, ClientPauseMode::All)),
        ["CLIENT", "PAUSE", "0", "ALL"]
    );
    wire(&client_pause_options(10, ClientPauseMode::All), b"+OK\r\n");
}

#[test]
fn sort_options_canonical_order() {
    let o = SortOptions::new()
        .alpha()
        .desc()
        .get("#")
        .limit(0, 10)
        .get("weight_*")
        .by("nosort");
    assert_eq!(
        args(&sort_options("l", &o)),
        [
            "SORT", "l", "BY", "nosort", "LIMIT", "0", "10", "GET", "#", "GET", "weight_*", "DESC",
            "ALPHA"
        ]
    );
    assert_eq!(args(&sort_options("l", &SortOptions::new())), ["SORT", "l"]);
    assert_eq!(
        args(&sort_options("l", &SortOptions::new().desc().asc())),
        ["SORT", "l", "ASC"]
    );
    assert_eq!(
        args(&sort_ro_options("l", &SortOptions::new().by("w_*->f"))),
        ["SORT_RO", "l", "BY", "w_*->f"]
    );
    assert_eq!(
        args(&sort_store("l", "dst", &o)),
        [
            "SORT", "l", "BY", "nosort", "LIMIT", "0", "10", "GET", "#", "GET", "weight_*", "DESC",
            "ALPHA", "STORE", "dst"
        ]
    );
    assert_eq!(
        args(&sort_store("l", "dst", &SortOptions::new())),
        ["SORT", "l", "STORE", "dst"]
    );

    let cmd = sort_options("l", &o);
    let expected = vec![Some(b("c")), None, Some(b("a")), None];
    assert_eq!(
        wire(&cmd, b"*4\r\n$1\r\nc\r\n$-1\r\n$1\r\na\r\n$-1\r\n"),
        expected
    );
    assert_eq!(
        wire(&cmd, b"*4\r\n$1\r\nc\r\n_\r\n$1\r\na\r\n_\r\n"),
        expected
    );
    assert_eq!(wire(&sort_ro_options("l", &o), b"*0\r\n"), vec![]);
    assert_eq!(wire(&sort_store("l", "d", &o), b":2\r\n"), 2);
}

#[test]
fn restore_options_order_and_exclusive_eviction_hint() {
    let payload: &[u8] = b"\x00\x01v\n\x00\x91\x08\xce\xb2\x198\x8a\xce";
    let cmd = restore_options("k", 0, payload, &RestoreOptions::new());
    assert_eq!(cmd.cmd().arg_at(3).unwrap(), payload);
    assert_eq!(cmd.cmd().argc(), 4);
    assert_eq!(
        args(&restore_options(
            "k",
            100,
            "x",
            &RestoreOptions::new().idletime(10).absttl().replace()
        )),
        ["RESTORE", "k", "100", "x", "REPLACE", "ABSTTL", "IDLETIME", "10"]
    );
    // IDLETIME and FREQ exclude each other: the last wins.
    assert_eq!(
        args(&restore_options(
            "k",
            0,
            "x",
            &RestoreOptions::new().idletime(10).freq(5)
        )),
        ["RESTORE", "k", "0", "x", "FREQ", "5"]
    );
    assert_eq!(
        args(&restore_options(
            "k",
            0,
            "x",
            &RestoreOptions::new().freq(5).idletime(1)
        )),
        ["RESTORE", "k", "0", "x", "IDLETIME", "1"]
    );
    wire(&cmd, b"+OK\r\n");
    let busy = <()>::from_value(Value::SimpleError(b(
        "BUSYKEY Target key name already exists.",
    )));
    assert!(matches!(busy, Err(Error::Server(_))));
}

#[test]
fn migrate_args_and_hidden_password() {
    assert_eq!(
        args(&migrate_options(
            "127.0.0.1",
            6380,
            "k",
            0,
            5000,
            &MigrateOptions::new()
        )),
        ["MIGRATE", "127.0.0.1", "6380", "k", "0", "5000"]
    );
    let o = MigrateOptions::new().auth("hunter2").replace().copy();
    assert_eq!(
        args(&migrate_options("h", 1, "k", 3, 10, &o)),
        ["MIGRATE", "h", "1", "k", "3", "10", "COPY", "REPLACE", "AUTH", "hunter2"]
    );
    let o2 = MigrateOptions::new().auth("first").auth2("mover", "s3cret");
    assert_eq!(
        args(&migrate_keys("h", 1, ["a", "b"], 0, 10, &o2)),
        ["MIGRATE", "h", "1", "", "0", "10", "AUTH2", "mover", "s3cret", "KEYS", "a", "b"]
    );
    // Debug of the options never shows a password.
    for options in [&o, &o2] {
        let shown = format!("{options:?} {options:#?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(!shown.contains("first"), "{shown}");
        assert!(shown.contains("redacted"), "{shown}");
    }
    assert!(format!("{o2:?}").contains("mover"));

    let cmd = migrate_options("h", 1, "nokey", 0, 10, &MigrateOptions::new());
    assert_eq!(wire(&cmd, b"+NOKEY\r\n"), "NOKEY");
    assert_eq!(wire(&cmd, b"+OK\r\n"), "OK");
    let ioerr = String::from_value(Value::SimpleError(b(
        "IOERR error or timeout writing to target instance",
    )));
    assert!(matches!(ioerr, Err(Error::Server(_))));
}

#[test]
fn eval_and_fcall_count_keys() {
    assert_eq!(
        args(&eval_keys("return 1", no_keys(), no_keys())),
        ["EVAL", "return 1", "0"]
    );
    assert_eq!(
        args(&eval_keys("s", ["k1", "k2"], ("a", 2, 3.5))),
        ["EVAL", "s", "2", "k1", "k2", "a", "2", "3.5"]
    );
    assert_eq!(
        args(&evalsha_keys("abc123", "k", no_keys())),
        ["EVALSHA", "abc123", "1", "k"]
    );
    assert_eq!(
        args(&eval_ro_keys("s", no_keys(), ["x", "y"])),
        ["EVAL_RO", "s", "0", "x", "y"]
    );
    assert_eq!(
        args(&evalsha_ro_keys("sha", vec!["k"], [1])),
        ["EVALSHA_RO", "sha", "1", "k", "1"]
    );
    assert_eq!(
        args(&fcall_keys("myfunc", ["k"], ["v"])),
        ["FCALL", "myfunc", "1", "k", "v"]
    );
    assert_eq!(
        args(&fcall_ro_keys("myfunc", no_keys(), no_keys())),
        ["FCALL_RO", "myfunc", "0"]
    );
    // A binary key counts as one.
    let cmd = eval_keys("s", [b"\xff\x00".to_vec()], no_keys());
    assert_eq!(cmd.cmd().arg_at(2).unwrap(), b"1");
    assert_eq!(cmd.cmd().arg_at(3).unwrap(), b"\xff\x00");

    // The reply is the script's, whatever it is.
    let cmd = eval_keys("return {KEYS[1], ARGV[1], 1}", ["k"], ["a"]);
    assert_eq!(
        wire(&cmd, b"*3\r\n$1\r\nk\r\n$1\r\na\r\n:1\r\n"),
        Value::Array(vec![bulk("k"), bulk("a"), Value::Integer(1)])
    );
    // An error reply is kept as a Value by the default reply type; ask for another type
    // to get an `Error::Server`.
    let err = wire(&cmd, b"-NOSCRIPT No matching script.\r\n");
    assert!(matches!(err, Value::SimpleError(_)));
}

#[test]
fn flush_modes() {
    assert_eq!(
        args(&flushall_options(FlushMode::Async)),
        ["FLUSHALL", "ASYNC"]
    );
    assert_eq!(args(&flushdb_options(FlushMode::Sync)), ["FLUSHDB", "SYNC"]);
    assert_eq!(
        args(&script_flush_options(FlushMode::Sync)),
        ["SCRIPT", "FLUSH", "SYNC"]
    );
    assert_eq!(
        args(&function_flush_options(FlushMode::Async)),
        ["FUNCTION", "FLUSH", "ASYNC"]
    );
    wire(&flushall_options(FlushMode::Async), b"+OK\r\n");
    wire(&flushdb_options(FlushMode::Async), b"+OK\r\n");
    wire(&script_flush_options(FlushMode::Async), b"+OK\r\n");
    wire(&function_flush_options(FlushMode::Async), b"+OK\r\n");
}

#[test]
fn shutdown_and_failover() {
    assert_eq!(
        args(&shutdown_options(&ShutdownOptions::new())),
        ["SHUTDOWN"]
    );
    assert_eq!(
        args(&shutdown_options(
            &ShutdownOptions::new().force().now().save().nosave()
        )),
        ["SHUTDOWN", "NOSAVE", "NOW", "FORCE"]
    );
    assert_eq!(
        args(&shutdown_options(&ShutdownOptions::new().nosave().save())),
        ["SHUTDOWN", "SAVE"]
    );
    assert_eq!(
        args(&shutdown_options(&ShutdownOptions::new().abort())),
        ["SHUTDOWN", "ABORT"]
    );
    let not_running = <()>::from_value(Value::SimpleError(b("ERR No shutdown in progress.")));
    assert!(matches!(not_running, Err(Error::Server(_))));
    wire(
        &shutdown_options(&ShutdownOptions::new().abort()),
        b"+OK\r\n",
    );

    assert_eq!(
        args(&failover_options(&FailoverOptions::new())),
        ["FAILOVER"]
    );
    assert_eq!(
        args(&failover_options(
            &FailoverOptions::new()
                .timeout(10)
                .force()
                .to("127.0.0.1", 6380)
        )),
        [
            "FAILOVER",
            "TO",
            "127.0.0.1",
            "6380",
            "FORCE",
            "TIMEOUT",
            "10"
        ]
    );
    assert_eq!(
        args(&failover_options(&FailoverOptions::new().abort())),
        ["FAILOVER", "ABORT"]
    );
    wire(&failover_options(&FailoverOptions::new()), b"+OK\r\n");
}

#[test]
fn option_types_are_default_clone_debug() {
    fn check<T: Default + Clone + std::fmt::Debug>() {
        let t = T::default();
        let _ = format!("{:?}", t.clone());
    }
    check::<SetOptions>();
    check::<GetExOptions>();
    check::<LPosOptions>();
    check::<BitFieldOps>();
    check::<CopyOptions>();
    check::<ZAddOptions>();
    check::<ZRangeOptions>();
    check::<ZCombineOptions>();
    check::<ClientKillFilter>();
    check::<SortOptions>();
    check::<RestoreOptions>();
    check::<MigrateOptions>();
    check::<ShutdownOptions>();
    check::<FailoverOptions>();
}

// =======================================================================================
// The JSON entries the generator reads
// =======================================================================================

/// `(method, command)` of every entry of one of this engineer's JSON files, read with a
/// scan for `"method"` and `"command"` fields (the files are written one field per line).
fn json_entries(file: &str) -> Vec<(String, String)> {
    let path = format!("{}/commands/manual/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    let field = |line: &str, name: &str| -> Option<String> {
        let rest = line.trim().strip_prefix(&format!("\"{name}\": \""))?;
        Some(rest.trim_end_matches(',').trim_end_matches('"').to_string())
    };
    let mut methods = Vec::new();
    let mut commands = Vec::new();
    for line in text.lines() {
        if let Some(m) = field(line, "method") {
            methods.push(m);
        }
        if let Some(c) = field(line, "command") {
            commands.push(c);
        }
    }
    assert_eq!(methods.len(), commands.len(), "{path}");
    assert_eq!(text.matches("\"method\"").count(), methods.len(), "{path}");
    methods.into_iter().zip(commands).collect()
}

/// One constructed command per JSON entry, by method name.
fn constructed() -> Vec<(&'static str, Cmd)> {
    let none = ZRangeOptions::new();
    let comb = ZCombineOptions::new();
    let sort = SortOptions::new();
    let mig = MigrateOptions::new();
    vec![
        (
            "set_options",
            set_options("k", "v", &SetOptions::new()).into(),
        ),
        ("set_get", set_get("k", "v", &SetOptions::new()).into()),
        (
            "getex_options",
            getex_options("k", &GetExOptions::new()).into(),
        ),
        (
            "expire_options",
            expire_options("k", 1, ExpireCondition::Nx).into(),
        ),
        (
            "pexpire_options",
            pexpire_options("k", 1, ExpireCondition::Nx).into(),
        ),
        (
            "expireat_options",
            expireat_options("k", 1, ExpireCondition::Nx).into(),
        ),
        (
            "pexpireat_options",
            pexpireat_options("k", 1, ExpireCondition::Nx).into(),
        ),
        (
            "lpos_options",
            lpos_options("k", "e", &LPosOptions::new()).into(),
        ),
        (
            "lpos_count",
            lpos_count("k", "e", 0, &LPosOptions::new()).into(),
        ),
        (
            "bitfield_ops",
            bitfield_ops("k", &BitFieldOps::new().get(BitFieldType::U8, 0u64)).into(),
        ),
        (
            "bitfield_ro_ops",
            bitfield_ro_ops("k", &[(BitFieldType::U8, BitFieldOffset::Bit(0))]).into(),
        ),
        (
            "bitcount_range",
            bitcount_range("k", 0, -1, BitUnit::Byte).into(),
        ),
        (
            "bitpos_range",
            bitpos_range("k", true, 0, None, BitUnit::Byte).into(),
        ),
        (
            "copy_options",
            copy_options("a", "b", &CopyOptions::new()).into(),
        ),
        (
            "lmpop_keys",
            lmpop_keys(["a", "b"], ListEnd::Left, None).into(),
        ),
        (
            "blmpop_keys",
            blmpop_keys(1.0, ["a", "b"], ListEnd::Left, None).into(),
        ),
        (
            "zadd_options",
            zadd_options("z", (1, "m"), &ZAddOptions::new()).into(),
        ),
        (
            "zadd_incr",
            zadd_incr("z", 1.0, "m", &ZAddOptions::new()).into(),
        ),
        (
            "zrange_options",
            zrange_options("z", ZRange::all(), &none).into(),
        ),
        (
            "zrange_withscores",
            zrange_withscores("z", ZRange::all(), &none).into(),
        ),
        (
            "zrangestore_options",
            zrangestore_options("d", "z", ZRange::all(), &none).into(),
        ),
        (
            "zrangebyscore_options",
            zrangebyscore_options("z", ScoreBound::NegInf, ScoreBound::PosInf, None).into(),
        ),
        (
            "zrangebyscore_withscores",
            zrangebyscore_withscores("z", ScoreBound::NegInf, ScoreBound::PosInf, None).into(),
        ),
        (
            "zrevrangebyscore_options",
            zrevrangebyscore_options("z", ScoreBound::PosInf, ScoreBound::NegInf, None).into(),
        ),
        (
            "zrevrangebyscore_withscores",
            zrevrangebyscore_withscores("z", ScoreBound::PosInf, ScoreBound::NegInf, None).into(),
        ),
        (
            "zrangebylex_options",
            zrangebylex_options("z", LexBound::NegInf, LexBound::PosInf, None).into(),
        ),
        (
            "zrevrangebylex_options",
            zrevrangebylex_options("z", LexBound::PosInf, LexBound::NegInf, None).into(),
        ),
        ("zunion_options", zunion_options(["a", "b"], &comb).into()),
        (
            "zunion_withscores",
            zunion_withscores(["a", "b"], &comb).into(),
        ),
        (
            "zunionstore_options",
            zunionstore_options("d", ["a", "b"], &comb).into(),
        ),
        ("zinter_options", zinter_options(["a", "b"], &comb).into()),
        (
            "zinter_withscores",
            zinter_withscores(["a", "b"], &comb).into(),
        ),
        (
            "zinterstore_options",
            zinterstore_options("d", ["a", "b"], &comb).into(),
        ),
        ("zdiff_keys", zdiff_keys(["a", "b"]).into()),
        ("zdiff_withscores", zdiff_withscores(["a", "b"]).into()),
        ("zdiffstore_keys", zdiffstore_keys("d", ["a", "b"]).into()),
        (
            "zmpop_keys",
            zmpop_keys(["a", "b"], ScoreEnd::Min, None).into(),
        ),
        (
            "bzmpop_keys",
            bzmpop_keys(1.0, ["a", "b"], ScoreEnd::Min, None).into(),
        ),
        ("zrandmember_count", zrandmember_count("z", 1).into()),
        (
            "zrandmember_withscores",
            zrandmember_withscores("z", 1).into(),
        ),
        ("zintercard_keys", zintercard_keys(["a", "b"], None).into()),
        ("sintercard_keys", sintercard_keys(["a", "b"], None).into()),
        (
            "client_kill_filter",
            client_kill_filter(&ClientKillFilter::new().id(1)).into(),
        ),
        (
            "client_list_type",
            client_list_type(ClientType::Normal).into(),
        ),
        ("client_list_ids", client_list_ids([1]).into()),
        (
            "client_pause_options",
            client_pause_options(1, ClientPauseMode::All).into(),
        ),
        ("sort_options", sort_options("k", &sort).into()),
        ("sort_ro_options", sort_ro_options("k", &sort).into()),
        ("sort_store", sort_store("k", "d", &sort).into()),
        (
            "restore_options",
            restore_options("k", 0, "x", &RestoreOptions::new()).into(),
        ),
        (
            "migrate_options",
            migrate_options("h", 1, "k", 0, 1, &mig).into(),
        ),
        (
            "migrate_keys",
            migrate_keys("h", 1, ["a", "b"], 0, 1, &mig).into(),
        ),
        ("eval_keys", eval_keys("s", ["a", "b"], ["x"]).into()),
        ("evalsha_keys", evalsha_keys("s", ["a", "b"], ["x"]).into()),
        ("eval_ro_keys", eval_ro_keys("s", ["a", "b"], ["x"]).into()),
        (
            "evalsha_ro_keys",
            evalsha_ro_keys("s", ["a", "b"], ["x"]).into(),
        ),
        ("fcall_keys", fcall_keys("f", ["a", "b"], ["x"]).into()),
        (
            "fcall_ro_keys",
            fcall_ro_keys("f", ["a", "b"], ["x"]).into(),
        ),
        ("flushall_options", flushall_options(FlushMode::Sync).into()),
        ("flushdb_options", flushdb_options(FlushMode::Sync).into()),
        (
            "script_flush_options",
            script_flush_options(FlushMode::Sync).into(),
        ),
        (
            "function_flush_options",
            function_flush_options(FlushMode::Sync).into(),
        ),
        (
            "shutdown_options",
            shutdown_options(&ShutdownOptions::new()).into(),
        ),
        (
            "failover_options",
            failover_options(&FailoverOptions::new()).into(),
        ),
        (
            "pubsub_channels_matching",
            pubsub_channels_matching("n*").into(),
        ),
        ("pubsub_numsub_of", pubsub_numsub_of(["a", "b"]).into()),
        (
            "pubsub_shardchannels_matching",
            pubsub_shardchannels_matching("n*").into(),
        ),
        ("pubsub_shardnumsub_of", pubsub_shardnumsub_of(["a"]).into()),
    ]
}

/// The command name (with subcommand, for containers) a constructed command sends.
fn sent_name(cmd: &Cmd) -> String {
    let name = String::from_utf8_lossy(cmd.name()).into_owned();
    if matches!(name.as_str(), "CLIENT" | "SCRIPT" | "FUNCTION" | "PUBSUB") {
        let sub = String::from_utf8_lossy(cmd.arg_at(1).unwrap()).into_owned();
        format!("{name} {sub}")
    } else {
        name
    }
}

#[test]
fn json_entries_match_the_constructors() {
    let mut entries = Vec::new();
    for file in ["strings.json", "sorted_sets.json", "misc.json"] {
        entries.extend(json_entries(file));
    }
    let built = constructed();
    let mut listed: Vec<&str> = entries.iter().map(|(m, _)| m.as_str()).collect();
    let mut made: Vec<&str> = built.iter().map(|(m, _)| *m).collect();
    listed.sort_unstable();
    made.sort_unstable();
    assert_eq!(
        listed, made,
        "every wrapper is listed once, and every listed one exists"
    );
    listed.dedup();
    assert_eq!(listed.len(), made.len(), "a method is listed twice");
    for (method, command) in &entries {
        let cmd = &built.iter().find(|(m, _)| m == method).unwrap().1;
        assert_eq!(&sent_name(cmd), command, "{method}");
    }
}

/// The generated command table must be the full one (the bootstrap one only knew GET).
fn assert_full_table() {
    assert!(
        ferrodis_commands::all_commands().len() > 100,
        "the command table is incomplete: run `cargo xtask gen-commands`"
    );
}

#[test]
fn json_commands_are_real_commands() {
    assert_full_table();
    for file in ["strings.json", "sorted_sets.json", "misc.json"] {
        for (method, command) in json_entries(file) {
            let mut words = command.split(' ');
            let name = words.next().unwrap();
            let sub = words.next();
            let info = ferrodis_commands::lookup(name.as_bytes(), sub.map(str::as_bytes))
                .unwrap_or_else(|| panic!("{file}: {method}: {command} is not a command"));
            assert_eq!(info.name, command, "{file}: {method}");
        }
    }
}

/// With the real table, the key specs find exactly the keys the wrappers were given: the
/// numkeys they write is where Redis (and cluster routing) looks for it.
#[test]
fn key_specs_find_the_keys() {
    assert_full_table();
    let keys = |cmd: Cmd| -> Vec<String> {
        cmd.keys()
            .map(|k| String::from_utf8_lossy(k).into_owned())
            .collect()
    };
    let comb = ZCombineOptions::new()
        .weights([1.0, 2.0])
        .aggregate(ZAggregate::Max);
    assert_eq!(keys(zunion_options(["a", "b"], &comb).into()), ["a", "b"]);
    assert_eq!(
        keys(zinterstore_options("d", ["a", "b"], &comb).into()),
        ["d", "a", "b"]
    );
    assert_eq!(keys(zdiffstore_keys("d", ["a"]).into()), ["d", "a"]);
    assert_eq!(
        keys(zmpop_keys(["a", "b"], ScoreEnd::Max, Some(3)).into()),
        ["a", "b"]
    );
    assert_eq!(
        keys(bzmpop_keys(1.0, ["a", "b"], ScoreEnd::Max, None).into()),
        ["a", "b"]
    );
    assert_eq!(
        keys(lmpop_keys(["a", "b"], ListEnd::Left, Some(3)).into()),
        ["a", "b"]
    );
    assert_eq!(
        keys(blmpop_keys(0.0, ["a"], ListEnd::Left, None).into()),
        ["a"]
    );
    assert_eq!(
        keys(zintercard_keys(["a", "b"], Some(1)).into()),
        ["a", "b"]
    );
    assert_eq!(keys(sintercard_keys(["a", "b"], None).into()), ["a", "b"]);
    assert_eq!(
        keys(eval_keys("s", ["a", "b"], ["x", "y"]).into()),
        ["a", "b"]
    );
    assert_eq!(
        keys(eval_keys("s", no_keys(), ["x"]).into()),
        Vec::<String>::new()
    );
    assert_eq!(keys(fcall_ro_keys("f", ["a"], ["x"]).into()), ["a"]);
    assert_eq!(keys(evalsha_ro_keys("s", ["a"], ["x"]).into()), ["a"]);
    // SORT's STORE destination and MIGRATE's KEYS form have incomplete key specs in Redis
    // 7.0; like the server, the key finder handles them with their own rules.
    assert_eq!(
        keys(sort_store("src", "dst", &SortOptions::new().by("w_*").get("#")).into()),
        ["src", "dst"]
    );
    assert_eq!(
        keys(
            migrate_keys(
                "h",
                1,
                ["a", "b"],
                0,
                1,
                &MigrateOptions::new().auth2("u", "p"),
            )
            .into()
        ),
        ["a", "b"]
    );
    assert_eq!(
        keys(migrate_options("h", 1, "k", 0, 1, &MigrateOptions::new()).into()),
        ["k"]
    );
    assert_eq!(
        keys(zrangestore_options("d", "s", ZRange::all(), &ZRangeOptions::new()).into()),
        ["d", "s"]
    );
    assert_eq!(
        keys(copy_options("s", "d", &CopyOptions::new().db(2)).into()),
        ["s", "d"]
    );
}

#[test]
fn pubsub_introspection_takes_its_arguments() {
    assert_eq!(
        args(&pubsub_channels_matching("news.*")),
        ["PUBSUB", "CHANNELS", "news.*"]
    );
    assert_eq!(
        args(&pubsub_numsub_of(["a", "b"])),
        ["PUBSUB", "NUMSUB", "a", "b"]
    );
    assert_eq!(
        args(&pubsub_shardchannels_matching("*")),
        ["PUBSUB", "SHARDCHANNELS", "*"]
    );
    assert_eq!(
        args(&pubsub_shardnumsub_of("s")),
        ["PUBSUB", "SHARDNUMSUB", "s"]
    );
    // NUMSUB's reply: a flat array in RESP2, the same in RESP3; pairs either way.
    let counts: Vec<(bytes::Bytes, i64)> =
        ferrodis_commands::FromValue::from_value(ferrodis_resp::Value::Array(vec![
            ferrodis_resp::Value::BulkString("a".into()),
            ferrodis_resp::Value::Integer(2),
            ferrodis_resp::Value::BulkString("b".into()),
            ferrodis_resp::Value::Integer(0),
        ]))
        .unwrap();
    assert_eq!(counts, [("a".into(), 2), ("b".into(), 0)]);
}
