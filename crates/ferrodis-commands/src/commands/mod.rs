//! Typed command constructors: one function per command, returning a [`Typed`](crate::Typed)
//! command with its default reply type. (The generated ones are being written.)

pub mod manual;
pub use manual::*;
