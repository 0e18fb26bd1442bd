//! Hand-written command wrappers, where generated signatures cannot be ergonomic: option
//! builders for SET, ZADD, ZRANGE, XADD, XREAD, the SCAN family, GEO, BITFIELD, CLIENT
//! KILL, SORT and the like. They use the same table data as the generated code, and the
//! generator adds each one to every front end (`commands/manual/*.json`).

mod geo;
mod misc;
mod scan;
mod sorted_sets;
mod streams;
mod strings;

pub use self::geo::*;
pub use self::misc::*;
pub use self::scan::*;
pub use self::sorted_sets::*;
pub use self::streams::*;
pub use self::strings::*;
