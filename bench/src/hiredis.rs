//! hiredis's reply reader, loaded at run time.
//!
//! hiredis is the C client Redis ships with; its reader (`redisReader`) is the reference
//! RESP parser that issue 2 measures ferrodis's decoder against. The benchmark must build
//! and run without it, so the shared library is opened with `libloading` when a case is
//! built, and the five functions used are declared here (no headers needed):
//!
//! - `redisReader *redisReaderCreate(void)`
//! - `int redisReaderFeed(redisReader *r, const char *buf, size_t len)`
//! - `int redisReaderGetReply(redisReader *r, void **reply)`
//! - `void freeReplyObject(void *reply)`
//! - `void redisReaderFree(redisReader *r)`
//!
//! Their signatures are the same in hiredis 0.14 (Debian 12's `libhiredis0.14`) and 1.x.
//! The reader copies what it is fed into its own buffer; [`Reader::feed`] followed by
//! [`Reader::take_replies`] is therefore the equivalent of appending a socket read to a
//! read buffer and decoding every complete reply out of it.

use std::ffi::{c_char, c_int, c_void, CStr};
use std::ptr::NonNull;
use std::sync::Arc;

use libloading::Library;

/// The names the library is looked up under, in order: Debian 12's package
/// (`libhiredis0.14`), the development symlink, and hiredis 1.x's sonames.
pub(crate) const LIBRARY_NAMES: &[&str] = &[
    "libhiredis.so.0.14",
    "libhiredis.so",
    "libhiredis.so.1.1.0",
    "libhiredis.so.1.0.0",
];

/// Why hiredis cannot run, when none of [`LIBRARY_NAMES`] opens.
pub(crate) const NOT_INSTALLED: &str = "hiredis is not installed: apt-get install libhiredis0.14";

/// hiredis's `REDIS_OK`.
const REDIS_OK: c_int = 0;

/// hiredis's reply type codes (`REDIS_REPLY_*`, the first field of every `redisReply`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ReplyType {
    /// `REDIS_REPLY_STRING` (1): a bulk string.
    String,
    /// `REDIS_REPLY_ARRAY` (2).
    Array,
    /// `REDIS_REPLY_INTEGER` (3).
    Integer,
    /// `REDIS_REPLY_NIL` (4).
    Nil,
    /// `REDIS_REPLY_STATUS` (5): a simple string.
    Status,
    /// `REDIS_REPLY_ERROR` (6).
    Error,
    /// Any other code (RESP3 types of hiredis 1.x).
    Other(c_int),
}

impl ReplyType {
    /// The type of a reply type code.
    fn from_code(code: c_int) -> ReplyType {
        match code {
            1 => ReplyType::String,
            2 => ReplyType::Array,
            3 => ReplyType::Integer,
            4 => ReplyType::Nil,
            5 => ReplyType::Status,
            6 => ReplyType::Error,
            other => ReplyType::Other(other),
        }
    }
}

/// `redisReaderCreate`.
type CreateFn = unsafe extern "C" fn() -> *mut c_void;
/// `redisReaderFeed`.
type FeedFn = unsafe extern "C" fn(*mut c_void, *const c_char, usize) -> c_int;
/// `redisReaderGetReply`.
type GetReplyFn = unsafe extern "C" fn(*mut c_void, *mut *mut c_void) -> c_int;
/// `freeReplyObject` and `redisReaderFree`.
type FreeFn = unsafe extern "C" fn(*mut c_void);

/// The functions used, copied out of the library (which [`Hiredis`] and every [`Reader`]
/// keep open).
#[derive(Clone, Copy)]
struct Api {
    /// `redisReaderCreate`.
    create: CreateFn,
    /// `redisReaderFeed`.
    feed: FeedFn,
    /// `redisReaderGetReply`.
    get_reply: GetReplyFn,
    /// `freeReplyObject`.
    free_reply: FreeFn,
    /// `redisReaderFree`.
    free_reader: FreeFn,
}

/// The hiredis library, opened.
#[derive(Clone)]
pub(crate) struct Hiredis {
    /// The functions, valid while `library` is open.
    api: Api,
    /// The name the library was opened under.
    name: &'static str,
    /// The library, kept open by this and every reader.
    library: Arc<Library>,
}

impl std::fmt::Debug for Hiredis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hiredis")
            .field("library", &self.name)
            .finish()
    }
}

impl Hiredis {
    /// Opens the system's hiredis (the first of [`LIBRARY_NAMES`] that opens). The error
    /// says what to install, or which function the library lacks.
    pub(crate) fn load() -> Result<Hiredis, String> {
        Hiredis::load_from(LIBRARY_NAMES)
    }

    /// Opens the first of `names` that opens; [`NOT_INSTALLED`] when none does.
    pub(crate) fn load_from(names: &[&'static str]) -> Result<Hiredis, String> {
        for &name in names {
            if let Some(library) = open(name) {
                return Hiredis::bind(name, library);
            }
        }
        Err(NOT_INSTALLED.to_string())
    }

    /// Looks the five functions up in an opened library.
    fn bind(name: &'static str, library: Library) -> Result<Hiredis, String> {
        let api = Api {
            create: symbol(&library, name, "redisReaderCreate")?,
            feed: symbol(&library, name, "redisReaderFeed")?,
            get_reply: symbol(&library, name, "redisReaderGetReply")?,
            free_reply: symbol(&library, name, "freeReplyObject")?,
            free_reader: symbol(&library, name, "redisReaderFree")?,
        };
        Ok(Hiredis {
            api,
            name,
            library: Arc::new(library),
        })
    }

    /// A new reader with hiredis's default reply functions (each reply a heap-allocated
    /// `redisReply` tree, freed by [`Reply`]'s `Drop`).
    pub(crate) fn reader(&self) -> Reader {
        let create = self.api.create;
        // SAFETY: `create` is `redisReaderCreate` of the library `self.library` keeps
        // open; it takes no arguments and returns a new reader or NULL.
        #[allow(unsafe_code)]
        let raw = unsafe { create() };
        let raw = NonNull::new(raw).expect("redisReaderCreate returned NULL (out of memory)");
        Reader {
            raw,
            api: self.api,
            _library: Arc::clone(&self.library),
        }
    }
}

/// `dlopen`s a library by name.
#[allow(unsafe_code)]
fn open(name: &str) -> Option<Library> {
    // SAFETY: opening a shared library runs its initialisers; hiredis's are the C
    // runtime's only (it has no constructors of its own), and it is opened under the
    // names of the hiredis packages only.
    unsafe { Library::new(name) }.ok()
}

/// A function of an opened library, as a plain function pointer (valid while the
/// library stays open).
#[allow(unsafe_code)]
fn symbol<T: Copy>(library: &Library, name: &str, function: &str) -> Result<T, String> {
    // SAFETY: `T` is the function's C signature as hiredis declares it (see the module
    // docs); the pointer is only called while the library is open (`Hiredis` and
    // `Reader` hold it in an `Arc`).
    unsafe { library.get::<T>(function.as_bytes()) }
        .map(|symbol| *symbol)
        .map_err(|e| format!("{name} has no `{function}` ({e}): is it hiredis?"))
}

/// One `redisReader`: feed it bytes, take replies out. Freed on drop.
pub(crate) struct Reader {
    /// The `redisReader *`.
    raw: NonNull<c_void>,
    /// The functions, valid while `_library` is open.
    api: Api,
    /// Keeps the library open while the reader lives.
    _library: Arc<Library>,
}

impl Reader {
    /// Appends `bytes` to the reader's buffer (hiredis copies them).
    pub(crate) fn feed(&mut self, bytes: &[u8]) -> Result<(), String> {
        let feed = self.api.feed;
        // SAFETY: `self.raw` is a live reader of this library; `bytes` is valid for
        // `bytes.len()` bytes during the call, and hiredis copies them before returning.
        #[allow(unsafe_code)]
        let rc = unsafe { feed(self.raw.as_ptr(), bytes.as_ptr().cast(), bytes.len()) };
        if rc == REDIS_OK {
            Ok(())
        } else {
            Err(self.error("redisReaderFeed"))
        }
    }

    /// The next complete reply in the buffer, or `None` when there is none yet. An error
    /// is a protocol error (the reader is then unusable).
    pub(crate) fn next_reply(&mut self) -> Result<Option<Reply<'_>>, String> {
        let get_reply = self.api.get_reply;
        let mut reply: *mut c_void = std::ptr::null_mut();
        // SAFETY: `self.raw` is a live reader of this library and `reply` a valid place
        // for the reply pointer, which hiredis sets to a new reply or leaves NULL.
        #[allow(unsafe_code)]
        let rc = unsafe { get_reply(self.raw.as_ptr(), &mut reply) };
        if rc != REDIS_OK {
            return Err(self.error("redisReaderGetReply"));
        }
        Ok(NonNull::new(reply).map(|raw| Reply {
            raw,
            free: self.api.free_reply,
            _reader: std::marker::PhantomData,
        }))
    }

    /// Takes every complete reply out of the buffer, freeing each; returns how many there
    /// were.
    pub(crate) fn take_replies(&mut self) -> Result<u64, String> {
        let mut count = 0;
        while let Some(reply) = self.next_reply()? {
            drop(reply);
            count += 1;
        }
        Ok(count)
    }

    /// The reader's error message (`redisReader.errstr`), after a call failed.
    fn error(&self, call: &str) -> String {
        // `redisReader` starts with `int err; char errstr[128];` in hiredis 0.14 and 1.x.
        // SAFETY: `self.raw` points to a live `redisReader`, whose `errstr` (a
        // NUL-terminated buffer of 128 bytes, filled in on error) follows the `int err`.
        #[allow(unsafe_code)]
        let message = unsafe {
            let errstr = self
                .raw
                .as_ptr()
                .cast::<u8>()
                .add(std::mem::size_of::<c_int>())
                .cast::<c_char>();
            CStr::from_ptr(errstr).to_string_lossy().into_owned()
        };
        format!("hiredis: {call} failed: {message}")
    }
}

impl Drop for Reader {
    fn drop(&mut self) {
        let free = self.api.free_reader;
        // SAFETY: `self.raw` is a live reader, freed once here; the library is still
        // open (`self._library` is dropped after this).
        #[allow(unsafe_code)]
        unsafe {
            free(self.raw.as_ptr());
        }
    }
}

/// One reply (a `redisReply` tree), freed on drop.
pub(crate) struct Reply<'r> {
    /// The `redisReply *`.
    raw: NonNull<c_void>,
    /// `freeReplyObject`.
    free: FreeFn,
    /// A reply does not outlive the reader (which keeps the library open).
    _reader: std::marker::PhantomData<&'r Reader>,
}

impl Reply<'_> {
    /// The reply's type (`redisReply.type`).
    pub(crate) fn kind(&self) -> ReplyType {
        // SAFETY: `self.raw` points to a live `redisReply`, whose first field is
        // `int type` in hiredis 0.14 and 1.x.
        #[allow(unsafe_code)]
        let code = unsafe { self.raw.as_ptr().cast::<c_int>().read() };
        ReplyType::from_code(code)
    }
}

impl Drop for Reply<'_> {
    fn drop(&mut self) {
        let free = self.free;
        // SAFETY: `self.raw` is a reply hiredis returned, freed once here (with its
        // elements) while the library is open.
        #[allow(unsafe_code)]
        unsafe {
            free(self.raw.as_ptr());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_library_says_what_to_install() {
        let err = Hiredis::load_from(&["libhiredis-does-not-exist.so.9"]).unwrap_err();
        assert_eq!(err, NOT_INSTALLED);
    }

    #[test]
    fn a_library_without_the_functions_is_refused() {
        // The C library is always there and is not hiredis.
        let err = Hiredis::load_from(&["libc.so.6"]).unwrap_err();
        assert!(err.contains("redisReaderCreate"), "{err}");
    }

    #[test]
    fn hiredis_parses_replies_fed_in_pieces() {
        let hiredis = match Hiredis::load() {
            Ok(hiredis) => hiredis,
            // Not installed here: nothing more to check (the case reports Unavailable).
            Err(why) => return assert_eq!(why, NOT_INSTALLED),
        };
        let mut reader = hiredis.reader();
        let input = b"*2\r\n$3\r\nfoo\r\n:42\r\n:12345\r\n$5\r\nhello\r\n+OK\r\n";
        // Byte by byte: only complete replies come out.
        let mut kinds = Vec::new();
        for byte in input.chunks(1) {
            reader.feed(byte).unwrap();
            while let Some(reply) = reader.next_reply().unwrap() {
                kinds.push(reply.kind());
            }
        }
        assert_eq!(
            kinds,
            [
                ReplyType::Array,
                ReplyType::Integer,
                ReplyType::String,
                ReplyType::Status
            ]
        );
        reader.feed(&input.repeat(3)).unwrap();
        assert_eq!(reader.take_replies().unwrap(), 12);
        assert_eq!(reader.take_replies().unwrap(), 0);
    }

    #[test]
    fn hiredis_reports_protocol_errors() {
        let Ok(hiredis) = Hiredis::load() else {
            return;
        };
        let mut reader = hiredis.reader();
        reader.feed(b"?what\r\n").unwrap();
        let err = reader.next_reply().err().unwrap();
        assert!(err.contains("Protocol error"), "{err}");
    }
}
