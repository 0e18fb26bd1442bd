//! The cases, by group. Each module builds its [`Case`](crate::harness::Case)s for a
//! [`Mode`](crate::harness::Mode); `main` runs them.

pub(crate) mod alloc;
pub(crate) mod codec;
pub(crate) mod large;
pub(crate) mod network;
