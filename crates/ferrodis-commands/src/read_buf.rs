//! How a transport grows its read buffer before each read: one policy for every
//! transport, because getting it wrong costs an allocation per read.
//!
//! The decoder hands out replies as [`Bytes`](bytes::Bytes) slices of the read buffer, with
//! no copy. While such a slice is alive it shares the buffer's allocation, so
//! `BytesMut::reserve` cannot reuse that allocation and makes a new one. A multiplexed
//! connection reads again while the replies it just handed out are still with their
//! callers; growing the buffer by a fixed chunk before every read would then allocate a
//! fresh chunk per read. [`prepare`] grows it only when the room left is small, and
//! otherwise reads into the room there is, so a new allocation comes once per
//! [`READ_CHUNK`] - [`MIN_READ_ROOM`] bytes of traffic at most.
//!
//! ```
//! use bytes::BytesMut;
//! use ferrodis_commands::read_buf;
//!
//! let mut buf = BytesMut::new();
//! let start = read_buf::prepare(&mut buf);
//! // A socket read would fill `buf[start..]` and return `n`:
//! let n = 5;
//! buf[start..start + n].copy_from_slice(b"+OK\r\n");
//! buf.truncate(start + n);
//! assert_eq!(&buf[..], b"+OK\r\n");
//! ```

use bytes::BytesMut;

/// The most a single read asks for, and how much the buffer grows by when it must.
pub const READ_CHUNK: usize = 16 * 1024;

/// Below this much room at the end of the buffer, [`prepare`] grows it.
pub const MIN_READ_ROOM: usize = 4 * 1024;

/// Makes room at the end of `buf` for a read and returns where the room starts (the old
/// length): the caller reads into `buf[start..]` and then truncates `buf` to
/// `start + n`. The room is at least [`MIN_READ_ROOM`] and at most [`READ_CHUNK`] bytes,
/// zero-filled (a safe read needs initialised memory).
pub fn prepare(buf: &mut BytesMut) -> usize {
    let start = buf.len();
    if buf.capacity() - start < MIN_READ_ROOM {
        buf.reserve(READ_CHUNK);
    }
    let room = (buf.capacity() - start).min(READ_CHUNK);
    buf.resize(start + room, 0);
    start
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_buffer_gets_a_chunk() {
        let mut buf = BytesMut::new();
        assert_eq!(prepare(&mut buf), 0);
        assert!(buf.len() >= MIN_READ_ROOM && buf.len() <= READ_CHUNK);
    }

    #[test]
    fn the_room_left_is_used_without_growing_while_a_reply_is_alive() {
        let mut buf = BytesMut::with_capacity(READ_CHUNK);
        let start = prepare(&mut buf);
        buf[start..start + 9].copy_from_slice(b"$3\r\nabc\r\n");
        buf.truncate(start + 9);
        // A reply handed out, still alive: it shares the allocation.
        let reply = buf.split_to(9).freeze();
        let ptr = buf.as_ptr();
        let start = prepare(&mut buf);
        assert_eq!(start, 0);
        assert_eq!(buf.as_ptr(), ptr, "no new allocation while there is room");
        assert_eq!(buf.len(), READ_CHUNK - 9);
        assert_eq!(&reply[..], b"$3\r\nabc\r\n");
    }

    #[test]
    fn little_room_grows_the_buffer_and_keeps_the_unread_bytes() {
        let mut buf = BytesMut::with_capacity(READ_CHUNK);
        buf.extend_from_slice(&vec![b'x'; READ_CHUNK - 100]);
        let start = prepare(&mut buf);
        assert_eq!(start, READ_CHUNK - 100);
        assert!(buf.len() - start >= MIN_READ_ROOM);
        assert!(buf[..start].iter().all(|&b| b == b'x'));
        assert!(buf[start..].iter().all(|&b| b == 0));
    }
}
