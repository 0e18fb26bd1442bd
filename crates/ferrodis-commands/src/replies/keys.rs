//! Key metadata replies: TTL, PTTL, EXPIRETIME, PEXPIRETIME and TYPE.
//!
//! TTL and its relatives answer with one integer that packs three answers: `-2` (no such
//! key), `-1` (the key has no expiry) or the time itself. These enums keep the three apart
//! so that a missing key is not read as "expires in -2 seconds". The seconds and the
//! milliseconds commands get distinct types, so the unit cannot be mixed up.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ferrodis_resp::Value;

use super::util;
use crate::error::Error;
use crate::from_value::FromValue;

/// Reads the integer of a TTL-like reply, and its sign-coded answer.
fn ttl_code(value: Value, expected: &'static str) -> Result<Result<u64, i64>, Error> {
    let n: i64 = util::convert(value, expected, "reply")?;
    match n {
        -2 | -1 => Ok(Err(n)),
        n if n >= 0 => Ok(Ok(n.unsigned_abs())),
        n => Err(util::invalid(
            expected,
            "integer",
            format!("unexpected value {n}"),
        )),
    }
}

macro_rules! ttl_type {
    ($(#[$doc:meta])* $name:ident, $from:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            /// The key does not exist (`-2`).
            NoKey,
            /// The key exists and has no expiry (`-1`).
            NoExpiry,
            /// The key expires after this long.
            Expires(Duration),
        }

        impl $name {
            /// The time left, if the key exists and expires.
            pub fn as_duration(&self) -> Option<Duration> {
                match self {
                    $name::Expires(d) => Some(*d),
                    _ => None,
                }
            }
        }

        impl FromValue for $name {
            fn from_value(value: Value) -> Result<Self, Error> {
                Ok(match ttl_code(value, stringify!($name))? {
                    Ok(n) => $name::Expires($from(n)),
                    Err(-2) => $name::NoKey,
                    Err(_) => $name::NoExpiry,
                })
            }
        }
    };
}

ttl_type!(
    /// The reply of TTL: whether the key exists, whether it expires, and in how many
    /// seconds.
    ///
    /// ```
    /// use std::time::Duration;
    /// use ferrodis_commands::FromValue;
    /// use ferrodis_commands::replies::Ttl;
    /// use ferrodis_resp::Value;
    ///
    /// assert_eq!(Ttl::from_value(Value::Integer(-2))?, Ttl::NoKey);
    /// assert_eq!(Ttl::from_value(Value::Integer(-1))?, Ttl::NoExpiry);
    /// assert_eq!(Ttl::from_value(Value::Integer(60))?, Ttl::Expires(Duration::from_secs(60)));
    /// # Ok::<(), ferrodis_commands::Error>(())
    /// ```
    Ttl, Duration::from_secs
);

ttl_type!(
    /// The reply of PTTL: like [`Ttl`], in milliseconds.
    PTtl, Duration::from_millis
);

impl From<PTtl> for Ttl {
    fn from(t: PTtl) -> Ttl {
        match t {
            PTtl::NoKey => Ttl::NoKey,
            PTtl::NoExpiry => Ttl::NoExpiry,
            PTtl::Expires(d) => Ttl::Expires(d),
        }
    }
}

macro_rules! expire_time_type {
    ($(#[$doc:meta])* $name:ident, $from:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            /// The key does not exist (`-2`).
            NoKey,
            /// The key exists and has no expiry (`-1`).
            NoExpiry,
            /// The key expires at this time.
            At(SystemTime),
        }

        impl $name {
            /// The expiry time, if the key exists and expires.
            pub fn as_system_time(&self) -> Option<SystemTime> {
                match self {
                    $name::At(t) => Some(*t),
                    _ => None,
                }
            }
        }

        impl FromValue for $name {
            fn from_value(value: Value) -> Result<Self, Error> {
                Ok(match ttl_code(value, stringify!($name))? {
                    Ok(n) => $name::At(UNIX_EPOCH + $from(n)),
                    Err(-2) => $name::NoKey,
                    Err(_) => $name::NoExpiry,
                })
            }
        }
    };
}

expire_time_type!(
    /// The reply of EXPIRETIME (Redis 7.0+): the absolute Unix time, in seconds, at
    /// which the key expires.
    ExpireTime,
    Duration::from_secs
);

expire_time_type!(
    /// The reply of PEXPIRETIME (Redis 7.0+): like [`ExpireTime`], with millisecond
    /// precision.
    PExpireTime,
    Duration::from_millis
);

/// The reply of TYPE.
///
/// ```
/// use ferrodis_commands::FromValue;
/// use ferrodis_commands::replies::KeyType;
/// use ferrodis_resp::Value;
///
/// assert_eq!(KeyType::from_value(Value::SimpleString("zset".into()))?, KeyType::ZSet);
/// assert_eq!(KeyType::from_value(Value::SimpleString("none".into()))?, KeyType::None);
/// # Ok::<(), ferrodis_commands::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyType {
    /// The key does not exist.
    None,
    /// A string.
    String,
    /// A list.
    List,
    /// A set.
    Set,
    /// A sorted set.
    ZSet,
    /// A hash.
    Hash,
    /// A stream.
    Stream,
    /// Another type, such as a module's (`ReJSON-RL`) or one newer than this crate.
    Other(String),
}

impl KeyType {
    /// The name Redis uses.
    pub fn as_str(&self) -> &str {
        match self {
            KeyType::None => "none",
            KeyType::String => "string",
            KeyType::List => "list",
            KeyType::Set => "set",
            KeyType::ZSet => "zset",
            KeyType::Hash => "hash",
            KeyType::Stream => "stream",
            KeyType::Other(s) => s,
        }
    }

    /// Parses a name as TYPE returns it.
    pub fn parse(name: &str) -> KeyType {
        match name {
            "none" => KeyType::None,
            "string" => KeyType::String,
            "list" => KeyType::List,
            "set" => KeyType::Set,
            "zset" => KeyType::ZSet,
            "hash" => KeyType::Hash,
            "stream" => KeyType::Stream,
            other => KeyType::Other(other.to_owned()),
        }
    }

    /// Whether the key exists.
    pub fn exists(&self) -> bool {
        *self != KeyType::None
    }
}

impl fmt::Display for KeyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromValue for KeyType {
    fn from_value(value: Value) -> Result<Self, Error> {
        match util::plain(value)? {
            v @ (Value::SimpleString(_) | Value::BulkString(_) | Value::VerbatimString { .. }) => {
                Ok(KeyType::parse(&util::text(v, "KeyType")?))
            }
            other => Err(util::mismatch("KeyType", &other, "expected a type name")),
        }
    }
}
