#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Byte scripts of the connection handshake. Replies are what redis-server 7.0.15 sends
//! (captured), or what older servers send where noted.

use ferrodis_commands::config::{ConnectionConfig, Protocol};
use ferrodis_commands::handshake::{Handshake, Negotiated, ServerInfo, Step, LIB_VERSION};
use ferrodis_commands::{Error, ErrorCode, Value};

/// One round trip: the exact bytes the handshake writes, and the bytes the server
/// answers with (one or more replies).
type Exchange<'a> = (Vec<u8>, &'a [u8]);

fn decode_all(mut bytes: &[u8]) -> Vec<Value> {
    let mut out = Vec::new();
    while !bytes.is_empty() {
        let (value, used) = ferrodis_resp::decode(bytes).unwrap().unwrap();
        out.push(value);
        bytes = &bytes[used..];
    }
    out
}

/// Drives the handshake like a transport would, checking each write against the script.
fn run(mut handshake: Handshake, script: &[Exchange<'_>]) -> Result<Negotiated, Error> {
    let mut script = script.iter();
    let mut written = Vec::new();
    let mut replies = Vec::new().into_iter();
    loop {
        match handshake.poll() {
            Ok(Step::Send(cmd)) => cmd.write_to(&mut written),
            Ok(Step::Receive) => {
                if !written.is_empty() {
                    let (expected, answer) = script.next().expect("an unexpected write");
                    assert_eq!(
                        String::from_utf8_lossy(&written),
                        String::from_utf8_lossy(expected)
                    );
                    written.clear();
                    assert_eq!(
                        replies.len(),
                        0,
                        "replies left over from the last round trip"
                    );
                    replies = decode_all(answer).into_iter();
                }
                handshake.on_reply(replies.next().expect("the handshake reads too much"));
            }
            Ok(Step::Done(negotiated)) => {
                assert!(written.is_empty());
                assert_eq!(replies.len(), 0, "replies left unread");
                assert!(script.next().is_none(), "round trips left over");
                return Ok(negotiated);
            }
            Err(e) => {
                assert!(written.is_empty(), "an error with requests not yet sent");
                assert_eq!(replies.len(), 0, "an error before every reply was read");
                assert!(script.next().is_none(), "round trips left over");
                return Err(e);
            }
        }
    }
}

/// The RESP encoding of commands, written independently of `Cmd`.
fn req(cmds: &[&[&str]]) -> Vec<u8> {
    let mut out = Vec::new();
    for cmd in cmds {
        out.extend_from_slice(format!("*{}\r\n", cmd.len()).as_bytes());
        for arg in *cmd {
            out.extend_from_slice(format!("${}\r\n{arg}\r\n", arg.len()).as_bytes());
        }
    }
    out
}

const HELLO_REPLY: &[u8] = b"%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:3\r\n$2\r\nid\r\n:7\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n";
const SETINFO_ERR: &[u8] = b"-ERR unknown subcommand 'SETINFO'. Try CLIENT HELP.\r\n";
const PASSWORD: &str = "pA55w0rd-xyz";

fn setinfo() -> [[&'static str; 4]; 2] {
    [
        ["CLIENT", "SETINFO", "LIB-NAME", "ferrodis"],
        ["CLIENT", "SETINFO", "LIB-VER", LIB_VERSION],
    ]
}

fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

#[test]
fn resp3_with_auth_name_db_and_readonly() {
    let config = ConnectionConfig::tcp("localhost", 6379)
        .username("alice")
        .password(PASSWORD)
        .client_name("myname")
        .db(2);
    let [name, ver] = setinfo();
    let script = [
        (
            b"*7\r\n$5\r\nHELLO\r\n$1\r\n3\r\n$4\r\nAUTH\r\n$5\r\nalice\r\n$12\r\npA55w0rd-xyz\r\n$7\r\nSETNAME\r\n$6\r\nmyname\r\n".to_vec(),
            HELLO_REPLY,
        ),
        // Everything else in one write: SELECT, SETINFO twice, READONLY.
        (
            req(&[&["SELECT", "2"], &name, &ver, &["READONLY"]]),
            &cat(&[b"+OK\r\n", SETINFO_ERR, SETINFO_ERR, b"+OK\r\n"])[..],
        ),
    ];
    let negotiated = run(Handshake::new(&config).read_only(true), &script).unwrap();
    assert_eq!(negotiated.protocol, Protocol::Resp3);
    let server = negotiated.server.unwrap();
    assert_eq!(server.server.as_deref(), Some("redis"));
    assert_eq!(server.version.as_deref(), Some("7.0.15"));
    assert_eq!(server.proto, Some(3));
    assert_eq!(server.id, Some(7));
    assert_eq!(server.mode.as_deref(), Some("standalone"));
    assert_eq!(server.role.as_deref(), Some("master"));
}

#[test]
fn resp3_password_only_authenticates_the_default_user() {
    let config = ConnectionConfig::tcp("h", 1).password(PASSWORD);
    let [name, ver] = setinfo();
    let script = [
        (
            req(&[&["HELLO", "3", "AUTH", "default", PASSWORD]]),
            HELLO_REPLY,
        ),
        (req(&[&name, &ver]), &cat(&[SETINFO_ERR, SETINFO_ERR])[..]),
    ];
    let negotiated = run(Handshake::new(&config), &script).unwrap();
    assert_eq!(negotiated.protocol, Protocol::Resp3);
}

#[test]
fn falls_back_to_resp2_on_noproto() {
    let config = ConnectionConfig::tcp("h", 1)
        .password(PASSWORD)
        .client_name("app")
        .db(1);
    let [name, ver] = setinfo();
    let script = [
        (
            req(&[&["HELLO", "3", "AUTH", "default", PASSWORD, "SETNAME", "app"]]),
            &b"-NOPROTO unsupported protocol version\r\n"[..],
        ),
        // AUTH without a user name (`AUTH pass`), as RESP2 servers before 6 know it.
        (
            req(&[
                &["AUTH", PASSWORD],
                &["CLIENT", "SETNAME", "app"],
                &["SELECT", "1"],
                &name,
                &ver,
            ]),
            &cat(&[b"+OK\r\n+OK\r\n+OK\r\n", SETINFO_ERR, SETINFO_ERR])[..],
        ),
    ];
    let negotiated = run(Handshake::new(&config), &script).unwrap();
    assert_eq!(negotiated.protocol, Protocol::Resp2);
    assert_eq!(negotiated.server, None);
}

#[test]
fn falls_back_to_resp2_when_hello_is_unknown() {
    // Redis 5 does not know HELLO; its error echoes the arguments, password included.
    let config = ConnectionConfig::tcp("h", 1).password(PASSWORD).db(3);
    let hello_err = format!(
        "-ERR unknown command `HELLO`, with args beginning with: `3`, `AUTH`, `default`, `{PASSWORD}`, \r\n"
    );
    let script = [
        (
            req(&[&["HELLO", "3", "AUTH", "default", PASSWORD]]),
            hello_err.as_bytes(),
        ),
        (
            req(&[&["AUTH", PASSWORD], &["SELECT", "3"], &["CLIENT", "SETINFO", "LIB-NAME", "mylib"], &["CLIENT", "SETINFO", "LIB-VER", "9.9"]]),
            &b"+OK\r\n+OK\r\n-ERR Unknown subcommand or wrong number of arguments for 'SETINFO'. Try CLIENT HELP\r\n-ERR Unknown subcommand or wrong number of arguments for 'SETINFO'. Try CLIENT HELP\r\n"[..],
        ),
    ];
    let handshake = Handshake::new(&config).lib_info(Some(("mylib", "9.9")));
    let negotiated = run(handshake, &script).unwrap();
    assert_eq!(negotiated.protocol, Protocol::Resp2);
    assert_eq!(negotiated.server, None);
}

#[test]
fn forced_resp2_sends_no_hello_and_one_batch() {
    let config = ConnectionConfig::tcp("h", 1)
        .username("alice")
        .password(PASSWORD)
        .client_name("app")
        .db(5)
        .protocol(Protocol::Resp2);
    let [name, ver] = setinfo();
    let script = [(
        req(&[
            &["AUTH", "alice", PASSWORD],
            &["CLIENT", "SETNAME", "app"],
            &["SELECT", "5"],
            &name,
            &ver,
            &["READONLY"],
        ]),
        &cat(&[
            b"+OK\r\n+OK\r\n+OK\r\n",
            SETINFO_ERR,
            SETINFO_ERR,
            b"+OK\r\n",
        ])[..],
    )];
    let negotiated = run(Handshake::new(&config).read_only(true), &script).unwrap();
    assert_eq!(negotiated.protocol, Protocol::Resp2);
    assert_eq!(negotiated.server, None);
}

fn assert_auth_error(result: Result<Negotiated, Error>, expected: &str) {
    match result {
        Err(Error::Auth { message }) => {
            assert_eq!(message, expected);
            assert!(!message.contains(PASSWORD));
            let e = Error::Auth { message };
            assert!(!e.to_string().contains(PASSWORD));
            assert!(!format!("{e:?}").contains(PASSWORD));
        }
        other => panic!("expected an auth error, got {other:?}"),
    }
}

#[test]
fn wrong_password_in_hello() {
    let config = ConnectionConfig::tcp("h", 1).password(PASSWORD);
    let script = [(
        req(&[&["HELLO", "3", "AUTH", "default", PASSWORD]]),
        &b"-WRONGPASS invalid username-password pair or user is disabled.\r\n"[..],
    )];
    assert_auth_error(
        run(Handshake::new(&config), &script),
        "WRONGPASS invalid username-password pair or user is disabled.",
    );
}

#[test]
fn wrong_password_in_resp2_auth_reads_every_reply_first() {
    let config = ConnectionConfig::tcp("h", 1)
        .password(PASSWORD)
        .db(2)
        .protocol(Protocol::Resp2);
    let [name, ver] = setinfo();
    let script = [(
        req(&[&["AUTH", PASSWORD], &["SELECT", "2"], &name, &ver]),
        &b"-WRONGPASS invalid username-password pair or user is disabled.\r\n-NOAUTH Authentication required.\r\n-NOAUTH Authentication required.\r\n-NOAUTH Authentication required.\r\n"[..],
    )];
    assert_auth_error(
        run(Handshake::new(&config), &script),
        "WRONGPASS invalid username-password pair or user is disabled.",
    );
}

#[test]
fn no_password_where_one_is_required() {
    let config = ConnectionConfig::tcp("h", 1);
    let script = [(
        req(&[&["HELLO", "3"]]),
        &b"-NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time\r\n"[..],
    )];
    match run(Handshake::new(&config), &script) {
        Err(Error::Auth { message }) => assert!(message.starts_with("NOAUTH HELLO must")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_password_the_server_does_not_expect() {
    // Redis 7.0 to `AUTH pass` when the default user has no password.
    let config = ConnectionConfig::tcp("h", 1)
        .password(PASSWORD)
        .protocol(Protocol::Resp2);
    let [name, ver] = setinfo();
    let script = [(
        req(&[&["AUTH", PASSWORD], &name, &ver]),
        &cat(&[b"-ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?\r\n", SETINFO_ERR, SETINFO_ERR])[..],
    )];
    match run(Handshake::new(&config), &script) {
        Err(Error::Auth { message }) => {
            assert!(message.contains("without any password configured"))
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn setinfo_errors_are_ignored_other_errors_are_not() {
    // SETINFO errors alone: success.
    let config = ConnectionConfig::tcp("h", 1);
    let [name, ver] = setinfo();
    let script = [
        (req(&[&["HELLO", "3"]]), HELLO_REPLY),
        (req(&[&name, &ver]), &cat(&[SETINFO_ERR, SETINFO_ERR])[..]),
    ];
    assert!(run(Handshake::new(&config), &script).is_ok());

    // A SELECT error is a server error, reported after the SETINFO replies are read.
    let config = ConnectionConfig::tcp("h", 1).db(99);
    let script = [
        (req(&[&["HELLO", "3"]]), HELLO_REPLY),
        (
            req(&[&["SELECT", "99"], &name, &ver]),
            &cat(&[
                b"-ERR DB index is out of range\r\n",
                SETINFO_ERR,
                SETINFO_ERR,
            ])[..],
        ),
    ];
    match run(Handshake::new(&config), &script) {
        Err(Error::Server(e)) => {
            assert_eq!(e.code(), &ErrorCode::Err);
            assert_eq!(e.text(), "ERR DB index is out of range");
        }
        other => panic!("{other:?}"),
    }

    // READONLY on a server without cluster support is an error too.
    let script = [
        (req(&[&["HELLO", "3"]]), HELLO_REPLY),
        (
            req(&[&name, &ver, &["READONLY"]]),
            &cat(&[
                SETINFO_ERR,
                SETINFO_ERR,
                b"-ERR This instance has cluster support disabled\r\n",
            ])[..],
        ),
    ];
    let result = run(
        Handshake::new(&ConnectionConfig::default()).read_only(true),
        &script,
    );
    assert!(matches!(result, Err(Error::Server(_))), "{result:?}");
}

#[test]
fn a_bad_client_name_in_hello_is_a_server_error() {
    let config = ConnectionConfig::tcp("h", 1).client_name("bad name");
    let script = [(
        req(&[&["HELLO", "3", "SETNAME", "bad name"]]),
        &b"-ERR Client names cannot contain spaces, newlines or special characters.\r\n"[..],
    )];
    match run(Handshake::new(&config), &script) {
        Err(Error::Server(e)) => assert!(e.text().contains("Client names")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_echoed_password_is_masked_in_server_errors() {
    let config = ConnectionConfig::tcp("h", 1).password(PASSWORD);
    let answer = format!("-ERR proxy refuses option '{PASSWORD}'\r\n");
    let script = [(
        req(&[&["HELLO", "3", "AUTH", "default", PASSWORD]]),
        answer.as_bytes(),
    )];
    let e = run(Handshake::new(&config), &script).unwrap_err();
    assert!(!e.to_string().contains(PASSWORD), "{e}");
    assert!(e.to_string().contains("***"), "{e}");
    assert!(!format!("{e:?}").contains(PASSWORD));
}

#[test]
fn nothing_to_do_is_done_at_once_and_polling_after_is_an_error() {
    let config = ConnectionConfig::default().protocol(Protocol::Resp2);
    let mut handshake = Handshake::new(&config).lib_info(None);
    assert!(matches!(handshake.poll(), Ok(Step::Done(_))));
    assert!(handshake.poll().is_err());
}

#[test]
fn debug_output_hides_the_password() {
    let config = ConnectionConfig::tcp("h", 1).password(PASSWORD);
    let mut handshake = Handshake::new(&config);
    assert!(!format!("{handshake:?}").contains(PASSWORD));
    let step = handshake.poll().unwrap();
    let shown = format!("{step:?}");
    assert!(!shown.contains(PASSWORD), "{shown}");
    assert_eq!(shown, "Send(\"HELLO\")");
}

#[test]
fn server_info_reads_resp2_hello_replies_too() {
    let reply = decode_all(b"*14\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:2\r\n$2\r\nid\r\n:4\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n");
    let info = ServerInfo::from_hello(&reply[0]);
    assert_eq!(info.proto, Some(2));
    assert_eq!(info.id, Some(4));
    assert_eq!(info.version.as_deref(), Some("7.0.15"));
}
