//! Command arguments: what may be passed to a command, and how it is written.
//!
//! Every argument is written straight into the command's buffer as a RESP bulk string:
//! no `Vec<Vec<u8>>`, no allocation per argument, integers and floats formatted on the
//! stack.
//!
//! There is deliberately no `ToArgs` for `bool`, `Option` or `()`. redis-py once wrote
//! `None` as the string `"None"` and `True` as `"True"`, then made it a run-time
//! `DataError`; here it does not compile:
//!
//! ```compile_fail
//! use ferrodis_commands::Cmd;
//! let cmd = Cmd::new("SET").arg("k").arg(true); // error: `bool` is not `ToArgs`
//! ```
//!
//! ```compile_fail
//! use ferrodis_commands::Cmd;
//! let cmd = Cmd::new("SET").arg("k").arg(None::<&str>); // error: `Option` is not `ToArgs`
//! ```
//!
//! The same holds for every command method, on every client:
//!
//! ```compile_fail
//! let cmd = ferrodis_commands::commands::set("k", true); // error: `bool` is not `ToArgs`
//! ```
//!
//! ```compile_fail
//! use ferrodis_commands::Commands;
//! fn store(client: &impl Commands) -> ferrodis_commands::Result<()> {
//!     client.set("k", true) // error: `bool` is not `ToArgs`
//! }
//! ```
//!
//! while the same calls with a valid value compile:
//!
//! ```
//! use ferrodis_commands::Commands;
//! fn store(client: &impl Commands) -> ferrodis_commands::Result<()> {
//!     client.set("k", 1)
//! }
//! let cmd = ferrodis_commands::commands::set("k", "v");
//! ```

use std::borrow::Cow;
use std::io::Write as _;

use bytes::Bytes;

/// Where arguments are written: implemented by [`Cmd`](crate::Cmd).
pub trait ArgWriter {
    /// Writes one argument.
    fn write_arg(&mut self, arg: &[u8]);

    /// Writes a signed integer as one argument, formatted without allocating.
    fn write_arg_i64(&mut self, n: i64) {
        let mut buf = [0u8; 20];
        self.write_arg(ferrodis_resp::format_i64(n, &mut buf));
    }

    /// Writes an unsigned integer as one argument, formatted without allocating.
    fn write_arg_u64(&mut self, n: u64) {
        let mut buf = [0u8; 20];
        self.write_arg(ferrodis_resp::format_u64(n, &mut buf));
    }

    /// Writes a float as one argument, as Redis reads it: `inf`, `-inf`, or the shortest
    /// decimal that reads back as the same value.
    fn write_arg_f64(&mut self, x: f64) {
        let mut buf = [0u8; 40];
        self.write_arg(format_f64(x, &mut buf));
    }
}

/// Formats a float for Redis into `buf`.
pub(crate) fn format_f64(x: f64, buf: &mut [u8; 40]) -> &[u8] {
    if x.is_infinite() {
        return if x > 0.0 { b"inf" } else { b"-inf" };
    }
    if x.is_nan() {
        // Redis rejects NaN with a clear error; pass it through so it can say so.
        return b"nan";
    }
    let mut cursor = std::io::Cursor::new(&mut buf[..]);
    // `{:?}` is the shortest round-trip form (with an exponent for extreme magnitudes,
    // which Redis's strtold reads); it never exceeds 40 bytes.
    let _ = write!(cursor, "{x:?}");
    let len = cursor.position() as usize;
    &buf[..len]
}

/// A value that can be written as one or more command arguments.
///
/// Implemented for strings and bytes (`&str`, `String`, `&[u8]`, `Vec<u8>`, `Bytes`,
/// `[u8; N]`, `Cow`), every integer type, `f32` and `f64`, and slices, `Vec`s, arrays and
/// tuples of these (which write one argument per element). Implement it for your own
/// types to pass them directly.
///
/// ```
/// use ferrodis_commands::Cmd;
///
/// let cmd = Cmd::new("ZADD").arg("scores").arg([(1.5, "alice"), (2.0, "bob")]);
/// assert_eq!(cmd.args().count(), 6);
/// ```
pub trait ToArgs {
    /// Writes this value's argument(s).
    fn write_args<W: ArgWriter + ?Sized>(&self, out: &mut W);

    /// Writes a slice of values. Each element writes its own argument(s), except for
    /// `u8`, where the whole slice is one binary argument: this is how `Vec<u8>` and
    /// `[u8; N]` are bytes while `Vec<i32>` is a list.
    #[doc(hidden)]
    fn write_slice_args<W: ArgWriter + ?Sized>(items: &[Self], out: &mut W)
    where
        Self: Sized,
    {
        for item in items {
            item.write_args(out);
        }
    }
}

impl<T: ToArgs + ?Sized> ToArgs for &T {
    fn write_args<W: ArgWriter + ?Sized>(&self, out: &mut W) {
        (**self).write_args(out);
    }
}

impl<T: ToArgs + ?Sized> ToArgs for &mut T {
    fn write_args<W: ArgWriter + ?Sized>(&self, out: &mut W) {
        (**self).write_args(out);
    }
}

impl<T: ToArgs + ?Sized> ToArgs for Box<T> {
    fn write_args<W: ArgWriter + ?Sized>(&self, out: &mut W) {
        (**self).write_args(out);
    }
}

impl ToArgs for str {
    fn write_args<W: ArgWriter + ?Sized>(&self, out: &mut W) {
        out.write_arg(self.as_bytes());
    }
}

impl ToArgs for String {
    fn write_args<W: ArgWriter + ?Sized>(&self, out: &mut W) {
        out.write_arg(self.as_bytes());
    }
}

impl ToArgs for Cow<'_, str> {
    fn write_args<W: ArgWriter + ?Sized>(&self, out: &mut W) {
        out.write_arg(self.as_bytes());
    }
}

impl ToArgs for Cow<'_, [u8]> {
    fn write_args<W: ArgWriter + ?Sized>(&self, out: &mut W) {
        out.write_arg(self);
    }
}

impl ToArgs for Bytes {
    fn write_args<W: ArgWriter + ?Sized>(&self, out: &mut W) {
        out.write_arg(self);
    }
}

impl ToArgs for bytes::BytesMut {
    fn write_args<W: ArgWriter + ?Sized>(&self, out: &mut W) {
        out.write_arg(self);
    }
}

impl<T: ToArgs> ToArgs for [T] {
    fn write_args<W: ArgWriter + ?Sized>(&self, out: &mut W) {
        T::write_slice_args(self, out);
    }
}

impl<T: ToArgs> ToArgs for Vec<T> {
    fn write_args<W: ArgWriter + ?Sized>(&self, out: &mut W) {
        T::write_slice_args(self, out);
    }
}

impl<T: ToArgs, const N: usize> ToArgs for [T; N] {
    fn write_args<W: ArgWriter + ?Sized>(&self, out: &mut W) {
        T::write_slice_args(self, out);
    }
}

impl ToArgs for u8 {
    fn write_args<W: ArgWriter + ?Sized>(&self, out: &mut W) {
        out.write_arg_u64(u64::from(*self));
    }

    fn write_slice_args<W: ArgWriter + ?Sized>(items: &[u8], out: &mut W) {
        out.write_arg(items);
    }
}

macro_rules! int_args {
    ($($t:ty => $method:ident as $wide:ty),* $(,)?) => {$(
        impl ToArgs for $t {
            #[inline]
            fn write_args<W: ArgWriter + ?Sized>(&self, out: &mut W) {
                out.$method(*self as $wide);
            }
        }
    )*};
}

int_args! {
    i8 => write_arg_i64 as i64,
    i16 => write_arg_i64 as i64,
    i32 => write_arg_i64 as i64,
    i64 => write_arg_i64 as i64,
    isize => write_arg_i64 as i64,
    u16 => write_arg_u64 as u64,
    u32 => write_arg_u64 as u64,
    u64 => write_arg_u64 as u64,
    usize => write_arg_u64 as u64,
}

impl ToArgs for i128 {
    fn write_args<W: ArgWriter + ?Sized>(&self, out: &mut W) {
        match i64::try_from(*self) {
            Ok(n) => out.write_arg_i64(n),
            Err(_) => out.write_arg(self.to_string().as_bytes()),
        }
    }
}

impl ToArgs for u128 {
    fn write_args<W: ArgWriter + ?Sized>(&self, out: &mut W) {
        match u64::try_from(*self) {
            Ok(n) => out.write_arg_u64(n),
            Err(_) => out.write_arg(self.to_string().as_bytes()),
        }
    }
}

impl ToArgs for f64 {
    fn write_args<W: ArgWriter + ?Sized>(&self, out: &mut W) {
        out.write_arg_f64(*self);
    }
}

impl ToArgs for f32 {
    fn write_args<W: ArgWriter + ?Sized>(&self, out: &mut W) {
        // Through the shortest f32 text, so that 0.1f32 is written "0.1", not
        // "0.10000000149011612".
        if self.is_finite() {
            let mut buf = [0u8; 40];
            let mut cursor = std::io::Cursor::new(&mut buf[..]);
            let _ = write!(cursor, "{self:?}");
            let len = cursor.position() as usize;
            out.write_arg(&buf[..len]);
        } else {
            out.write_arg_f64(f64::from(*self));
        }
    }
}

macro_rules! tuple_args {
    ($($name:ident)+) => {
        impl<$($name: ToArgs),+> ToArgs for ($($name,)+) {
            #[allow(non_snake_case)]
            fn write_args<WR: ArgWriter + ?Sized>(&self, out: &mut WR) {
                let ($($name,)+) = self;
                $($name.write_args(out);)+
            }
        }
    };
}

tuple_args!(A);
tuple_args!(A B);
tuple_args!(A B C);
tuple_args!(A B C D);
tuple_args!(A B C D E);
tuple_args!(A B C D E F);
tuple_args!(A B C D E F G);
tuple_args!(A B C D E F G H);
tuple_args!(A B C D E F G H I);
tuple_args!(A B C D E F G H I J);
tuple_args!(A B C D E F G H I J K);
tuple_args!(A B C D E F G H I J K L);
