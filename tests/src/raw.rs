//! A minimal raw RESP client for tests: write a command, read one reply.
//!
//! It uses the real encoder and decoder of `ferrodis::resp`, and nothing else of ferrodis,
//! so tests of the RESP layer talk to a real server without any client code in between.

use std::io::{self, Read, Write};

use bytes::BytesMut;
use ferrodis::resp::{encode_command, Decoder, Value};

/// Writes `args` as one RESP command (an array of bulk strings).
///
/// # Errors
///
/// The error of the write.
pub fn raw_command(stream: &mut impl Write, args: &[&[u8]]) -> io::Result<()> {
    let mut out = Vec::new();
    encode_command(&mut out, args.iter().copied());
    stream.write_all(&out)?;
    stream.flush()
}

/// Reads until `decoder` yields one complete reply, and returns it.
///
/// `buf` keeps whatever was read beyond that reply (the start of the next one), so pass
/// the same `decoder` and `buf` to every call on a connection.
///
/// # Errors
///
/// The error of a read ([`io::ErrorKind::WouldBlock`] or [`io::ErrorKind::TimedOut`] on a
/// read timeout); [`io::ErrorKind::UnexpectedEof`] if the server closes the connection
/// mid-reply; [`io::ErrorKind::InvalidData`] if the reply does not decode.
pub fn read_value(
    stream: &mut impl Read,
    decoder: &mut Decoder,
    buf: &mut BytesMut,
) -> io::Result<Value> {
    let mut chunk = [0u8; 16 * 1024];
    loop {
        match decoder.decode(buf) {
            Ok(Some(value)) => return Ok(value),
            Ok(None) => {}
            Err(e) => return Err(io::Error::new(io::ErrorKind::InvalidData, e)),
        }
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the server closed the connection before a complete reply",
            ));
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// Sends a command and reads its reply: [`raw_command`] then [`read_value`].
///
/// # Errors
///
/// As [`raw_command`] and [`read_value`].
pub fn raw_roundtrip<S: Read + Write>(
    stream: &mut S,
    decoder: &mut Decoder,
    buf: &mut BytesMut,
    args: &[&[u8]],
) -> io::Result<Value> {
    raw_command(stream, args)?;
    read_value(stream, decoder, buf)
}
