#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! URL parsing and printing of `ConnectionConfig`.

use std::path::PathBuf;
use std::time::Duration;

use ferrodis_commands::config::{
    Addr, ConnectionConfig, IntoConnectionConfig, Password, Protocol, TlsConfig,
};
use ferrodis_commands::Error;

fn parse(url: &str) -> ConnectionConfig {
    match ConnectionConfig::from_url(url) {
        Ok(c) => c,
        Err(e) => panic!("{url}: {e}"),
    }
}

#[test]
fn good_urls() {
    let table: Vec<(&str, ConnectionConfig)> = vec![
        (
            "redis://localhost",
            ConnectionConfig::tcp("localhost", 6379),
        ),
        (
            "redis://localhost/",
            ConnectionConfig::tcp("localhost", 6379),
        ),
        (
            "redis://127.0.0.1:6380",
            ConnectionConfig::tcp("127.0.0.1", 6380),
        ),
        (
            "redis://host:7000/3",
            ConnectionConfig::tcp("host", 7000).db(3),
        ),
        ("REDIS://Host/0", ConnectionConfig::tcp("Host", 6379)),
        (
            "redis://[::1]:6380/2",
            ConnectionConfig::tcp("::1", 6380).db(2),
        ),
        ("redis://[::1]", ConnectionConfig::tcp("::1", 6379)),
        (
            "redis://[2001:db8::7]:1234",
            ConnectionConfig::tcp("2001:db8::7", 1234),
        ),
        (
            "redis://user:pass@host:1/1",
            ConnectionConfig::tcp("host", 1)
                .db(1)
                .username("user")
                .password("pass"),
        ),
        (
            "redis://alice@host",
            ConnectionConfig::tcp("host", 6379).username("alice"),
        ),
        (
            "redis://alice:@host",
            ConnectionConfig::tcp("host", 6379).username("alice"),
        ),
        (
            "redis://:secret@host",
            ConnectionConfig::tcp("host", 6379).password("secret"),
        ),
        (
            "redis://us%20er:p%40ss%3Aw%2Frd@host",
            ConnectionConfig::tcp("host", 6379)
                .username("us er")
                .password("p@ss:w/rd"),
        ),
        // An unescaped `@` in the password: the last `@` ends the user info.
        (
            "redis://u:p@ss@host",
            ConnectionConfig::tcp("host", 6379)
                .username("u")
                .password("p@ss"),
        ),
        (
            "rediss://host:6390",
            ConnectionConfig::tcp("host", 6390).tls(TlsConfig::new()),
        ),
        (
            "rediss://host#insecure",
            ConnectionConfig::tcp("host", 6379)
                .tls(TlsConfig::new().dangerous_accept_invalid_certs(true)),
        ),
        (
            "redis://host?protocol=2",
            ConnectionConfig::tcp("host", 6379).protocol(Protocol::Resp2),
        ),
        (
            "redis://host?protocol=resp2",
            ConnectionConfig::tcp("host", 6379).protocol(Protocol::Resp2),
        ),
        (
            "redis://host?protocol=RESP3",
            ConnectionConfig::tcp("host", 6379).protocol(Protocol::Resp3),
        ),
        (
            "redis://host?protocol=3",
            ConnectionConfig::tcp("host", 6379),
        ),
        (
            "redis://host/5?client_name=my%20app&connect_timeout=1.5&response_timeout=2",
            ConnectionConfig::tcp("host", 6379)
                .db(5)
                .client_name("my app")
                .connect_timeout(Duration::from_millis(1500))
                .response_timeout(Duration::from_secs(2)),
        ),
        (
            "redis://host?client_name=a+b",
            ConnectionConfig::tcp("host", 6379).client_name("a b"),
        ),
        (
            "redis://host?db=4",
            ConnectionConfig::tcp("host", 6379).db(4),
        ),
        (
            "redis://host?user=bob&pass=pw",
            ConnectionConfig::tcp("host", 6379)
                .username("bob")
                .password("pw"),
        ),
        (
            "unix:///tmp/redis.sock",
            ConnectionConfig::unix("/tmp/redis.sock"),
        ),
        (
            "unix:/tmp/redis.sock",
            ConnectionConfig::unix("/tmp/redis.sock"),
        ),
        (
            "unix://localhost/tmp/redis.sock",
            ConnectionConfig::unix("/tmp/redis.sock"),
        ),
        (
            "unix:///tmp/my%20redis.sock?db=3&user=u&pass=p%26w&protocol=resp2",
            ConnectionConfig::unix("/tmp/my redis.sock")
                .db(3)
                .username("u")
                .password("p&w")
                .protocol(Protocol::Resp2),
        ),
        (
            "redis+unix:///var/run/redis.sock?db=1",
            ConnectionConfig::unix("/var/run/redis.sock").db(1),
        ),
        ("valkey://host", ConnectionConfig::tcp("host", 6379)),
        ("  redis://host  ", ConnectionConfig::tcp("host", 6379)),
    ];
    for (url, expected) in table {
        assert_eq!(parse(url), expected, "{url}");
        let via_fromstr: ConnectionConfig = url.parse().unwrap();
        assert_eq!(via_fromstr, expected, "{url}");
    }
}

#[test]
fn bad_urls_name_the_part() {
    let table = [
        ("localhost:6379", "scheme"), // "localhost" is not a scheme
        ("localhost", "scheme"),
        ("http://host", "scheme"),
        ("redis:host", "host"),
        ("redis://", "host"),
        ("redis://:6379", "host"),
        ("redis://user:pw@", "host"),
        ("redis://ho st", "host"),
        ("redis://::1:6379", "host"),
        ("redis://[::1", "host"),
        ("redis://[::g]:1", "host"),
        ("redis://[::1]x", "host"),
        ("redis://host:abc", "port"),
        ("redis://host:", "port"),
        ("redis://host:0", "port"),
        ("redis://host:65536", "port"),
        ("redis://host/abc", "db"),
        ("redis://host/-1", "db"),
        ("redis://host/1?db=2", "db"),
        ("redis://host?db=x", "db"),
        ("redis://host?protocol=4", "protocol"),
        ("redis://host?protocol", "query"),
        ("redis://host?protcol=2", "query"),
        ("redis://host?connect_timeout=abc", "connect_timeout"),
        ("redis://host?connect_timeout=0", "connect_timeout"),
        ("redis://host?connect_timeout=-1", "connect_timeout"),
        ("redis://host?response_timeout=inf", "response_timeout"),
        ("redis://u%zz@host", "username"),
        ("redis://u:p%4@host", "password"),
        ("redis://u:p%ff@host", "password"),
        ("redis://u:p@host?pass=q", "password"),
        ("redis://u@host?user=v", "username"),
        ("redis://host#insecure", "fragment"),
        ("rediss://host#other", "fragment"),
        ("unix://", "path"),
        ("unix:///", "path"),
        ("unix://otherhost/tmp/x.sock", "host"),
        ("unix:///tmp/x.sock#frag", "fragment"),
        ("unix:///tmp/%zz", "path"),
        ("unix:///tmp/x.sock?db=-3", "db"),
    ];
    for (url, part) in table {
        match ConnectionConfig::from_url(url) {
            Err(Error::Config { part: got, reason }) => {
                assert_eq!(got, part, "{url}: {reason}");
                assert!(!reason.is_empty());
            }
            other => panic!("{url}: expected a config error on {part}, got {other:?}"),
        }
    }
}

#[test]
fn error_messages_say_what_is_expected() {
    let e = ConnectionConfig::from_url("redis://host:abc").unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid configuration: port: \"abc\" is not a port number (1 to 65535)"
    );
    let e = ConnectionConfig::from_url("redis://host?protcol=2").unwrap_err();
    assert!(e.to_string().contains("protcol"), "{e}");
    assert!(e.to_string().contains("protocol"), "{e}");
    let e = ConnectionConfig::from_url("ftp://host").unwrap_err();
    assert!(e.to_string().contains("redis://"), "{e}");
}

const SECRET: &str = "Zq9xSecretPw";

#[test]
fn the_password_never_shows() {
    let urls = [
        format!("redis://user:{SECRET}@host:6379/1"),
        format!("redis://:{SECRET}@host"),
        format!("rediss://:{SECRET}@host#insecure"),
        format!("unix:///tmp/r.sock?pass={SECRET}"),
        format!("redis://host?password={SECRET}&client_name=x"),
    ];
    for url in &urls {
        let config = parse(url);
        assert_eq!(config.password.as_ref().unwrap().expose(), SECRET);
        for text in [
            format!("{config}"),
            format!("{config:?}"),
            format!("{config:#?}"),
        ] {
            assert!(!text.contains(SECRET), "{text}");
            assert!(text.contains("***"), "{text}");
        }
    }
    // Bad URLs whose errors might be tempted to quote the password.
    let bad = [
        format!("redis://user:{SECRET}@host:notaport"),
        format!("redis://user:{SECRET}@ho st"),
        format!("redis://user:{SECRET}@host/notadb"),
        format!("redis://user:{SECRET}@[::1"),
        format!("redis://user:{SECRET}%zz@host"),
        format!("redis://user:{SECRET}@host?bogus=1"),
        format!("redis://user:{SECRET}@host?protocol=9"),
        format!("redis://user:{SECRET}@host#nope"),
        // A `/` in an unescaped password cuts the URL early: what looks like the port is
        // really the password.
        format!("redis://user:{SECRET}/x@host"),
        format!("redis://user:{SECRET}?x@host"),
        format!("redis://user:ab/{SECRET}@host"),
        format!("{SECRET}:{SECRET}@host"),
        format!("{}:pw@host", SECRET.to_lowercase()),
        format!("unix:///tmp/x?pass={SECRET}%zz"),
        format!("unix:///tmp/x?pass={SECRET}&pass"),
        format!("unix://u:{SECRET}@/tmp/x"),
    ];
    for url in &bad {
        let e = ConnectionConfig::from_url(url).unwrap_err();
        for text in [e.to_string(), format!("{e:?}")] {
            let lower = text.to_lowercase();
            assert!(!lower.contains(&SECRET.to_lowercase()), "{url}: {text}");
        }
    }
}

#[test]
fn display_is_a_url_that_reads_back() {
    let configs = [
        ConnectionConfig::tcp("localhost", 6379),
        ConnectionConfig::tcp("::1", 6380).db(2),
        ConnectionConfig::tcp("h", 1)
            .username("a b@c")
            .client_name("my app/1")
            .protocol(Protocol::Resp2)
            .connect_timeout(Duration::from_millis(250))
            .response_timeout(Duration::from_secs(3)),
        ConnectionConfig::tcp("h", 1).tls(TlsConfig::new()),
        ConnectionConfig::tcp("h", 1).tls(TlsConfig::new().dangerous_accept_invalid_certs(true)),
        ConnectionConfig::unix("/tmp/my redis.sock")
            .db(4)
            .username("u"),
    ];
    for config in configs {
        let url = config.to_string();
        assert_eq!(parse(&url), config, "{url}");
    }
    assert_eq!(
        ConnectionConfig::tcp("::1", 6380)
            .db(2)
            .password("x")
            .to_string(),
        "redis://:***@[::1]:6380/2"
    );
    assert_eq!(
        ConnectionConfig::unix("/tmp/r.sock")
            .db(1)
            .password("x")
            .to_string(),
        "unix:///tmp/r.sock?db=1&pass=***"
    );
    assert_eq!(
        parse("rediss://u:p@h/3?protocol=2&connect_timeout=0.5#insecure").to_string(),
        "rediss://u:***@h:6379/3?protocol=resp2&connect_timeout=0.5#insecure"
    );
}

#[test]
fn builders_and_defaults() {
    let config = ConnectionConfig::default();
    assert_eq!(config.addr, Addr::tcp("127.0.0.1", 6379));
    assert_eq!(config.db, 0);
    assert_eq!(config.protocol, Protocol::Resp3);
    assert!(!config.is_tls());
    assert_eq!(Protocol::Resp2.version(), 2);
    assert_eq!(Addr::tcp("::1", 1).to_string(), "[::1]:1");
    assert_eq!(Addr::tcp("h", 1).to_string(), "h:1");
    assert_eq!(Addr::unix("/tmp/x").to_string(), "/tmp/x");
    assert_eq!(
        ConnectionConfig::unix("/tmp/x").addr,
        Addr::Unix(PathBuf::from("/tmp/x"))
    );
    let tls = TlsConfig::new()
        .server_name("redis.example")
        .ca_file("/ca.pem")
        .client_cert("/c.pem", "/k.pem");
    assert_eq!(tls.server_name.as_deref(), Some("redis.example"));
    assert_eq!(tls.client_key, Some(PathBuf::from("/k.pem")));
    assert!(!tls.dangerous_accept_invalid_certs);
    let p = Password::from("pw");
    assert_eq!(format!("{p}/{p:?}"), "***/***");

    assert_eq!(
        "redis://h".into_connection_config().unwrap(),
        ConnectionConfig::tcp("h", 6379)
    );
    let c = ConnectionConfig::tcp("h", 2);
    assert_eq!((&c).into_connection_config().unwrap(), c);
    assert!(String::from("nope").into_connection_config().is_err());
    assert_eq!(ConnectionConfig::try_from("redis://h:2").unwrap(), c);
}
