//! Writing RESP: commands, headers and integers, straight into a [`BufMut`].
//!
//! A command is an array of bulk strings. These helpers write one without building
//! anything in between, and format integers with a two-digits-at-a-time table instead of
//! `core::fmt`, which is several times slower. The command layer uses the header and
//! integer helpers directly to encode arguments as they are added.

use bytes::BufMut;

/// Formats integers without `core::fmt`: a 20-byte buffer holds every `u64` and `i64`.
const DIGIT_PAIRS: &[u8; 200] = b"\
0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// Writes `n` in decimal into the end of `buf` and returns the digits.
///
/// ```
/// let mut buf = [0u8; 20];
/// assert_eq!(ferrodis_resp::format_u64(1234567, &mut buf), b"1234567");
/// ```
#[inline]
pub fn format_u64(mut n: u64, buf: &mut [u8; 20]) -> &[u8] {
    let mut i = buf.len();
    while n >= 100 {
        let pair = (n % 100) as usize * 2;
        n /= 100;
        i -= 2;
        buf[i..i + 2].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
    }
    if n >= 10 {
        let pair = n as usize * 2;
        i -= 2;
        buf[i..i + 2].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
    } else {
        i -= 1;
        buf[i] = b'0' + n as u8;
    }
    &buf[i..]
}

/// Writes `n` in decimal, with a leading `-` when negative, and returns the text.
///
/// ```
/// let mut buf = [0u8; 20];
/// assert_eq!(ferrodis_resp::format_i64(i64::MIN, &mut buf), b"-9223372036854775808");
/// ```
#[inline]
pub fn format_i64(n: i64, buf: &mut [u8; 20]) -> &[u8] {
    let len = format_u64(n.unsigned_abs(), buf).len();
    let mut start = buf.len() - len;
    if n < 0 {
        start -= 1;
        buf[start] = b'-';
    }
    &buf[start..]
}

/// Writes a header: the type byte, `len` in decimal, CRLF. For example `*3\r\n`.
#[inline]
pub fn write_header<B: BufMut + ?Sized>(out: &mut B, ty: u8, len: usize) {
    let mut digits = [0u8; 20];
    let digits = format_u64(len as u64, &mut digits);
    out.put_u8(ty);
    out.put_slice(digits);
    out.put_slice(b"\r\n");
}

/// Writes an array header, `*<len>\r\n`.
#[inline]
pub fn write_array_header<B: BufMut + ?Sized>(out: &mut B, len: usize) {
    write_header(out, b'*', len);
}

/// Writes a bulk string header, `$<len>\r\n`; the payload and its CRLF must follow.
#[inline]
pub fn write_bulk_header<B: BufMut + ?Sized>(out: &mut B, len: usize) {
    write_header(out, b'$', len);
}

/// Writes a bulk string: `$<len>\r\n<data>\r\n`.
#[inline]
pub fn write_bulk<B: BufMut + ?Sized>(out: &mut B, data: &[u8]) {
    write_bulk_header(out, data.len());
    out.put_slice(data);
    out.put_slice(b"\r\n");
}

/// Writes an integer as a bulk string (how a command argument like `EXPIRE k 10` carries
/// a number): `$2\r\n10\r\n`.
#[inline]
pub fn write_bulk_i64<B: BufMut + ?Sized>(out: &mut B, n: i64) {
    let mut digits = [0u8; 20];
    write_bulk(out, format_i64(n, &mut digits));
}

/// Writes an unsigned integer as a bulk string.
#[inline]
pub fn write_bulk_u64<B: BufMut + ?Sized>(out: &mut B, n: u64) {
    let mut digits = [0u8; 20];
    write_bulk(out, format_u64(n, &mut digits));
}

/// Writes a RESP integer, `:<n>\r\n`.
#[inline]
pub fn write_integer<B: BufMut + ?Sized>(out: &mut B, n: i64) {
    let mut digits = [0u8; 20];
    out.put_u8(b':');
    out.put_slice(format_i64(n, &mut digits));
    out.put_slice(b"\r\n");
}

/// Writes a command whose argument count is known up front: an array header, then each
/// argument as a bulk string. Available without `alloc`.
///
/// The header is written from the iterator's `len()`; std's iterators report it
/// exactly, and an iterator that lies about it produces a malformed command.
///
/// ```
/// let mut out = Vec::new();
/// ferrodis_resp::encode_command_exact(&mut out, ["GET", "k"]);
/// assert_eq!(out, b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n");
/// ```
#[inline]
pub fn encode_command_exact<B, I>(out: &mut B, args: I)
where
    B: BufMut + ?Sized,
    I: IntoIterator,
    I::IntoIter: ExactSizeIterator,
    I::Item: AsRef<[u8]>,
{
    let args = args.into_iter();
    let len = args.len();
    write_array_header(out, len);
    for arg in args.take(len) {
        write_bulk(out, arg.as_ref());
    }
}

/// Writes a command: an array of bulk strings, one per argument.
///
/// No intermediate allocation is made when the iterator knows its exact length (arrays,
/// slices, `Vec`s and most adapters over them do); otherwise the arguments are gathered
/// into a `Vec` first, since the array header must carry the count.
///
/// ```
/// let mut out = bytes::BytesMut::new();
/// ferrodis_resp::encode_command(&mut out, ["SET", "key", "value"]);
/// assert_eq!(&out[..], b"*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n");
/// ```
#[cfg(feature = "alloc")]
#[inline]
pub fn encode_command<B: BufMut, A: AsRef<[u8]>>(out: &mut B, args: impl IntoIterator<Item = A>) {
    let args = args.into_iter();
    match args.size_hint() {
        (lower, Some(upper)) if lower == upper => {
            write_array_header(out, lower);
            let mut written = 0;
            for arg in args.take(lower) {
                write_bulk(out, arg.as_ref());
                written += 1;
            }
            debug_assert_eq!(written, lower, "iterator reported a wrong exact size_hint");
        }
        _ => {
            let args: alloc::vec::Vec<A> = args.collect();
            encode_command_exact(out, &args);
        }
    }
}
