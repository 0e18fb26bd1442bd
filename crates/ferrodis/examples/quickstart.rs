//! Quickstart: talk to a real Redis server with ferrodis's RESP core.
//!
//! Redis speaks RESP, the REdis Serialization Protocol: a client sends each command as an
//! array of binary-safe strings, and the server answers with one typed value per command.
//! Every value starts with a one-byte type marker and every line ends in `\r\n`:
//!
//! ```text
//! +OK\r\n                    simple string      :42\r\n           integer
//! -ERR oops\r\n              error              $5\r\nhello\r\n   bulk string (length first)
//! *2\r\n:1\r\n:2\r\n         array of 2         _\r\n              null (RESP3)
//! ```
//!
//! RESP3 (switched on with `HELLO 3`) adds maps, sets, doubles, booleans, big numbers,
//! verbatim strings and out-of-band "push" messages.
//!
//! This example drives a plain `TcpStream` by hand: `ferrodis::resp::encode_command`
//! writes requests, `ferrodis::resp::Decoder` turns the bytes read from the socket into
//! `Value`s. (The ferrodis client does all of this for you; this is the layer beneath.)
//!
//! Run it with `cargo xtask demo`, which starts a throwaway redis-server and sets
//! `FERRODIS_ADDR`; or against a server of your own:
//!
//! ```text
//! FERRODIS_ADDR=127.0.0.1:6380 cargo run -p ferrodis --example quickstart
//! ```
//!
//! It writes keys under `ferrodis:quickstart:` and switches on client tracking for its own
//! connection only.

use std::error::Error;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use bytes::BytesMut;
use ferrodis::resp::{encode_command, Decoder, Value};

type Result<T> = std::result::Result<T, Box<dyn Error>>;

fn main() -> Result<()> {
    let Ok(addr) = std::env::var("FERRODIS_ADDR") else {
        eprintln!(
            "This example talks to a Redis server and is meant to be run by `cargo xtask demo`,\n\
             which starts a throwaway redis-server for it. To use a server of your own, set\n\
             FERRODIS_ADDR=host:port (it never assumes 6379: it writes keys)."
        );
        std::process::exit(2);
    };

    println!("Connecting to {addr} ...");
    let mut conn = Connection::connect(&addr)?;
    println!("Connected.\n");

    section("RESP2: the protocol every Redis speaks");
    explain("A command is an array (*) of bulk strings ($): each with its length, then the bytes.");
    conn.show_wire = true;
    conn.call(&["PING"])?;
    explain("`+` marks a simple string: a short status line.");
    conn.call(&["SET", "ferrodis:quickstart:greeting", "hello from ferrodis"])?;
    conn.show_wire = false;
    conn.call(&["GET", "ferrodis:quickstart:greeting"])?;
    explain("`$` is a bulk string: binary safe, since its length comes first.");
    conn.call(&["GET", "ferrodis:quickstart:missing"])?;
    explain("A missing key is a null bulk string ($-1) in RESP2: the decoder calls it Nil.");
    conn.call(&["DEL", "ferrodis:quickstart:visits"])?;
    conn.call(&["INCR", "ferrodis:quickstart:visits"])?;
    explain("`:` is an integer.");
    conn.call(&["INCR", "ferrodis:quickstart:greeting"])?;
    explain("`-` is an error reply. It is a value like any other: the connection stays usable.");
    conn.call(&["DEL", "ferrodis:quickstart:list"])?;
    conn.call(&["RPUSH", "ferrodis:quickstart:list", "one", "two", "three"])?;
    conn.call(&["LRANGE", "ferrodis:quickstart:list", "0", "-1"])?;
    explain("`*` is an array, whose items are values themselves.");
    conn.call(&["DEL", "ferrodis:quickstart:user"])?;
    conn.call(&[
        "HSET",
        "ferrodis:quickstart:user",
        "name",
        "Ada",
        "lang",
        "Rust",
    ])?;
    conn.call(&["HGETALL", "ferrodis:quickstart:user"])?;
    explain("In RESP2 a hash comes back as a flat array: field, value, field, value, ...");

    section("RESP3: richer types, after HELLO 3");
    conn.call(&["HELLO", "3"])?;
    explain(
        "HELLO 3 switches this connection to RESP3 and answers with a map (%) about the server.",
    );
    conn.call(&["HGETALL", "ferrodis:quickstart:user"])?;
    explain("The same command now returns a real map: no guessing which items are keys.");
    conn.call(&["DEL", "ferrodis:quickstart:tags"])?;
    conn.call(&[
        "SADD",
        "ferrodis:quickstart:tags",
        "fast",
        "correct",
        "complete",
    ])?;
    conn.call(&["SMEMBERS", "ferrodis:quickstart:tags"])?;
    explain("`~` is a set: unordered, no duplicates.");
    conn.call(&["DEL", "ferrodis:quickstart:scores"])?;
    conn.call(&["ZADD", "ferrodis:quickstart:scores", "2.5", "ada"])?;
    conn.call(&["ZSCORE", "ferrodis:quickstart:scores", "ada"])?;
    explain("`,` is a double: RESP2 sent scores as strings.");
    conn.call(&["GET", "ferrodis:quickstart:missing"])?;
    explain("`_` is RESP3's one null.");
    conn.call(&["EVAL", "redis.setresp(3); return true", "0"])?;
    explain("`#t` / `#f` are booleans (here from a Lua script speaking RESP3).");
    conn.call(&[
        "EVAL",
        "redis.setresp(3); return {big_number = '1234567890123456789012345678901234567890'}",
        "0",
    ])?;
    explain("`(` is a big number: more digits than an i64 holds.");
    conn.call(&["CLIENT", "INFO"])?;
    explain("`=` is a verbatim string: text with a format tag (txt or mkd) for display.");

    section("RESP3 push messages: data the server sends on its own");
    conn.call(&["CLIENT", "TRACKING", "ON"])?;
    explain("Client-side caching: the server now remembers the keys this connection reads.");
    conn.call(&["GET", "ferrodis:quickstart:greeting"])?;
    conn.call(&["SET", "ferrodis:quickstart:greeting", "changed"])?;
    conn.call(&["PING"])?;
    explain(
        "Changing a key we read made the server send a `>` push (an invalidation) between\n\
         replies. A client must set pushes aside, never hand them to the next caller.",
    );

    println!(
        "\nDone: {} commands, every reply decoded by ferrodis::resp::Decoder.",
        conn.commands
    );
    Ok(())
}

/// A TCP connection with a read buffer and a streaming decoder.
struct Connection {
    stream: TcpStream,
    read_buf: BytesMut,
    decoder: Decoder,
    /// Print the raw bytes of requests and replies too.
    show_wire: bool,
    commands: usize,
}

impl Connection {
    fn connect(addr: &str) -> Result<Self> {
        let stream =
            TcpStream::connect(addr).map_err(|e| format!("cannot connect to {addr}: {e}"))?;
        stream.set_nodelay(true)?;
        stream.set_read_timeout(Some(Duration::from_secs(10)))?;
        Ok(Connection {
            stream,
            read_buf: BytesMut::with_capacity(4096),
            decoder: Decoder::new(),
            show_wire: false,
            commands: 0,
        })
    }

    /// Sends one command and prints its reply, and any push messages that arrive first.
    fn call(&mut self, args: &[&str]) -> Result<Value> {
        let mut request = Vec::new();
        encode_command(&mut request, args);
        println!(
            "> {}",
            args.iter()
                .map(|a| quote_arg(a))
                .collect::<Vec<_>>()
                .join(" ")
        );
        if self.show_wire {
            println!("  sent     {}", escape(&request));
        }
        self.stream.write_all(&request)?;
        self.commands += 1;
        loop {
            let value = self.read_value()?;
            if let Value::Push(_) = value {
                println!(
                    "  (a push message arrived first; it is not the reply to {})",
                    args[0]
                );
                print!("{}", render(&value, 1));
                continue;
            }
            print!("{}", render(&value, 1));
            return Ok(value);
        }
    }

    /// Reads from the socket until the decoder has a whole value.
    fn read_value(&mut self) -> Result<Value> {
        loop {
            let before = self.read_buf.clone();
            if let Some(value) = self.decoder.decode(&mut self.read_buf)? {
                if self.show_wire {
                    let used = before.len() - self.read_buf.len();
                    println!("  received {}", escape(&before[..used]));
                }
                return Ok(value);
            }
            let mut chunk = [0u8; 4096];
            let n = self.stream.read(&mut chunk)?;
            if n == 0 {
                return Err("the server closed the connection".into());
            }
            self.read_buf.extend_from_slice(&chunk[..n]);
        }
    }
}

fn section(title: &str) {
    println!("\n=== {title} ===\n");
}

fn explain(text: &str) {
    for line in text.lines() {
        println!("  # {line}");
    }
    println!();
}

/// A command argument as you would type it in redis-cli.
fn quote_arg(arg: &str) -> String {
    if !arg.is_empty()
        && arg
            .bytes()
            .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\')
    {
        return arg.to_owned();
    }
    let mut quoted = String::from("\"");
    for c in arg.chars() {
        match c {
            '"' | '\\' => quoted.extend(['\\', c]),
            ' '..='~' => quoted.push(c),
            _ => quoted.extend(c.escape_default()),
        }
    }
    quoted.push('"');
    quoted
}

/// Bytes as a quoted string, with `\r`, `\n` and non-ASCII bytes escaped.
fn escape(bytes: &[u8]) -> String {
    format!("\"{}\"", bytes.escape_ascii())
}

/// At most 70 bytes of a long string, for one-line display.
fn escape_short(bytes: &[u8]) -> String {
    const MAX: usize = 70;
    if bytes.len() <= MAX {
        escape(bytes)
    } else {
        format!("{}... ({} bytes)", escape(&bytes[..MAX]), bytes.len())
    }
}

/// A value as an indented tree, one line per scalar, with its RESP type named.
fn render(value: &Value, depth: usize) -> String {
    let mut out = String::new();
    render_into(&mut out, value, depth, "");
    out
}

fn render_into(out: &mut String, value: &Value, depth: usize, label: &str) {
    let indent = "  ".repeat(depth);
    let mut line = |text: String| out.push_str(&format!("{indent}{label}{text}\n"));
    match value {
        Value::Nil => line("(nil)".to_owned()),
        Value::SimpleString(s) => line(format!("(simple string) {}", escape_short(s))),
        Value::SimpleError(s) => line(format!("(error) {}", escape_short(s))),
        Value::BulkError(s) => line(format!("(bulk error) {}", escape_short(s))),
        Value::Integer(n) => line(format!("(integer) {n}")),
        Value::BulkString(s) => line(format!("(bulk string) {}", escape_short(s))),
        Value::Double(d) => line(format!("(double) {d}")),
        Value::Boolean(b) => line(format!("(boolean) {b}")),
        Value::BigNumber(digits) => {
            line(format!("(big number) {}", String::from_utf8_lossy(digits)))
        }
        Value::VerbatimString { format, text } => {
            line(format!(
                "(verbatim string, format {}) {}",
                String::from_utf8_lossy(format),
                escape_short(text)
            ));
        }
        Value::Array(items) | Value::Set(items) | Value::Push(items) => {
            let kind = match value {
                Value::Set(_) => "set",
                Value::Push(_) => "push",
                _ => "array",
            };
            line(format!("({kind}, {})", count(items.len(), "item")));
            for (i, item) in items.iter().enumerate() {
                render_into(out, item, depth + 1, &format!("{}) ", i + 1));
            }
        }
        Value::Map(pairs) => {
            line(format!("(map, {})", count(pairs.len(), "entry")));
            render_pairs(out, pairs, depth + 1);
        }
        Value::Attribute { attributes, value } => {
            line(format!(
                "(attributes, {})",
                count(attributes.len(), "entry")
            ));
            render_pairs(out, attributes, depth + 1);
            render_into(out, value, depth, "value: ");
        }
    }
}

fn render_pairs(out: &mut String, pairs: &[(Value, Value)], depth: usize) {
    for (key, value) in pairs {
        let key = match key {
            Value::SimpleString(s) | Value::BulkString(s) => escape(s),
            other => render(other, 0).trim_end().to_owned(),
        };
        render_into(out, value, depth, &format!("{key} => "));
    }
}

/// "1 item", "3 items", "1 entry", "0 entries".
fn count(n: usize, noun: &str) -> String {
    match (n, noun.strip_suffix('y')) {
        (1, _) => format!("1 {noun}"),
        (_, Some(stem)) => format!("{n} {stem}ies"),
        (_, None) => format!("{n} {noun}s"),
    }
}
