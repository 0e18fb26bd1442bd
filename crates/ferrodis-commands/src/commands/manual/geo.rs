//! Hand-written wrappers for GEO commands: GEOADD with its conditions, GEOSEARCH and
//! GEOSEARCHSTORE with their center and shape, and the legacy GEORADIUS and
//! GEORADIUSBYMEMBER.
//!
//! A search needs exactly one center (`FROMMEMBER` or `FROMLONLAT`) and one shape
//! (`BYRADIUS` or `BYBOX`), each with a unit: they are the required [`GeoFrom`] and
//! [`GeoBy`] parameters, so a search without one cannot be written. Ordering, `COUNT` and
//! the `WITH*` flags are options. The `WITH*` flags change the reply's shape, but
//! [`GeoSearchResult`] reads every shape from the reply itself, so one reply type fits
//! all (see the naming convention in the stream wrappers' module, `streams.rs`).

use bytes::Bytes;

use crate::replies::GeoSearchResult;
use crate::{ArgWriter, Cmd, ToArgs, Typed};

/// A distance unit of the GEO commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GeoUnit {
    /// `m`: meters.
    Meters,
    /// `km`: kilometers.
    Kilometers,
    /// `ft`: feet.
    Feet,
    /// `mi`: miles.
    Miles,
}

impl GeoUnit {
    /// The unit as Redis writes it (`m`, `km`, `ft`, `mi`).
    pub fn as_str(self) -> &'static str {
        match self {
            GeoUnit::Meters => "m",
            GeoUnit::Kilometers => "km",
            GeoUnit::Feet => "ft",
            GeoUnit::Miles => "mi",
        }
    }
}

impl ToArgs for GeoUnit {
    fn write_args<W: ArgWriter + ?Sized>(&self, out: &mut W) {
        out.write_arg(self.as_str().as_bytes());
    }
}

/// The center of a GEOSEARCH: a member of the set, or a position.
#[derive(Debug, Clone, PartialEq)]
pub enum GeoFrom {
    /// `FROMMEMBER member`: the position of a member of the set.
    Member(Bytes),
    /// `FROMLONLAT longitude latitude`.
    LonLat {
        /// Longitude in degrees.
        longitude: f64,
        /// Latitude in degrees.
        latitude: f64,
    },
}

impl GeoFrom {
    /// `FROMMEMBER member`.
    pub fn member(member: impl AsRef<[u8]>) -> GeoFrom {
        GeoFrom::Member(Bytes::copy_from_slice(member.as_ref()))
    }

    /// `FROMLONLAT longitude latitude`.
    pub fn lonlat(longitude: f64, latitude: f64) -> GeoFrom {
        GeoFrom::LonLat {
            longitude,
            latitude,
        }
    }
}

impl ToArgs for GeoFrom {
    fn write_args<W: ArgWriter + ?Sized>(&self, out: &mut W) {
        match self {
            GeoFrom::Member(member) => {
                out.write_arg(b"FROMMEMBER");
                out.write_arg(member);
            }
            GeoFrom::LonLat {
                longitude,
                latitude,
            } => {
                out.write_arg(b"FROMLONLAT");
                out.write_arg_f64(*longitude);
                out.write_arg_f64(*latitude);
            }
        }
    }
}

/// The shape of a GEOSEARCH: a circle or an axis-aligned box around the center.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum GeoBy {
    /// `BYRADIUS radius unit`.
    Radius {
        /// The radius.
        radius: f64,
        /// Its unit.
        unit: GeoUnit,
    },
    /// `BYBOX width height unit`.
    Box {
        /// The width (east-west).
        width: f64,
        /// The height (north-south).
        height: f64,
        /// Their unit.
        unit: GeoUnit,
    },
}

impl GeoBy {
    /// `BYRADIUS radius unit`.
    pub fn radius(radius: f64, unit: GeoUnit) -> GeoBy {
        GeoBy::Radius { radius, unit }
    }

    /// `BYBOX width height unit` (named `box_` because `box` is a Rust keyword).
    pub fn box_(width: f64, height: f64, unit: GeoUnit) -> GeoBy {
        GeoBy::Box {
            width,
            height,
            unit,
        }
    }
}

impl ToArgs for GeoBy {
    fn write_args<W: ArgWriter + ?Sized>(&self, out: &mut W) {
        match *self {
            GeoBy::Radius { radius, unit } => {
                out.write_arg(b"BYRADIUS");
                out.write_arg_f64(radius);
                unit.write_args(out);
            }
            GeoBy::Box {
                width,
                height,
                unit,
            } => {
                out.write_arg(b"BYBOX");
                out.write_arg_f64(width);
                out.write_arg_f64(height);
                unit.write_args(out);
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Order {
    Asc,
    Desc,
}

impl Order {
    fn token(self) -> &'static str {
        match self {
            Order::Asc => "ASC",
            Order::Desc => "DESC",
        }
    }
}

/// `COUNT n [ANY]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Count {
    n: u64,
    any: bool,
}

fn push_count(cmd: &mut Cmd, count: Option<Count>) {
    if let Some(Count { n, any }) = count {
        cmd.push_arg("COUNT").push_arg(n);
        if any {
            cmd.push_arg("ANY");
        }
    }
}

// ---------------------------------------------------------------------------------------
// GEOADD
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Condition {
    Nx,
    Xx,
}

/// Options of GEOADD: `NX` or `XX` (the last call wins), and `CH`.
///
/// ```
/// use ferrodis_commands::commands::{geoadd_options, GeoAddOptions};
///
/// let cmd = geoadd_options("Sicily", [(13.361389, 38.115556, "Palermo")], &GeoAddOptions::new().xx().ch());
/// assert_eq!(
///     cmd.cmd().args().collect::<Vec<_>>(),
///     [&b"GEOADD"[..], b"Sicily", b"XX", b"CH", b"13.361389", b"38.115556", b"Palermo"]
/// );
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GeoAddOptions {
    condition: Option<Condition>,
    ch: bool,
}

impl GeoAddOptions {
    /// No options.
    pub fn new() -> GeoAddOptions {
        GeoAddOptions::default()
    }

    /// `NX`: only add new members, never update existing ones.
    #[must_use]
    pub fn nx(mut self) -> Self {
        self.condition = Some(Condition::Nx);
        self
    }

    /// `XX`: only update existing members, never add.
    #[must_use]
    pub fn xx(mut self) -> Self {
        self.condition = Some(Condition::Xx);
        self
    }

    /// `CH`: reply with the number of members added *or changed*, not only added.
    #[must_use]
    pub fn ch(mut self) -> Self {
        self.ch = true;
        self
    }
}

impl ToArgs for GeoAddOptions {
    /// Writes `[NX | XX] [CH]`.
    fn write_args<W: ArgWriter + ?Sized>(&self, out: &mut W) {
        match self.condition {
            Some(Condition::Nx) => out.write_arg(b"NX"),
            Some(Condition::Xx) => out.write_arg(b"XX"),
            None => {}
        }
        if self.ch {
            out.write_arg(b"CH");
        }
    }
}

/// `GEOADD key [NX | XX] [CH] longitude latitude member [...]`: adds or updates members
/// at positions. `members` is a list of `(longitude, latitude, member)` triples; replies
/// with the number of members added (with `CH`: added or moved).
pub fn geoadd_options<K: ToArgs, M: ToArgs>(
    key: K,
    members: M,
    options: &GeoAddOptions,
) -> Typed<u64> {
    let mut cmd = Cmd::new("GEOADD");
    cmd.push_arg(key).push_arg(options).push_arg(members);
    Typed::new(cmd)
}

// ---------------------------------------------------------------------------------------
// GEOSEARCH, GEORADIUS, GEORADIUSBYMEMBER
// ---------------------------------------------------------------------------------------

/// Options of GEOSEARCH, GEORADIUS and GEORADIUSBYMEMBER: ordering by distance, `COUNT`
/// (optionally `ANY`), and the `WITHCOORD`, `WITHDIST` and `WITHHASH` parts of each
/// result.
///
/// ```
/// use ferrodis_commands::commands::{geosearch_options, GeoBy, GeoFrom, GeoSearchOptions, GeoUnit};
///
/// let options = GeoSearchOptions::new().asc().count(5).with_dist().with_coord();
/// let cmd = geosearch_options("Sicily", GeoFrom::lonlat(15.0, 37.0), GeoBy::radius(200.0, GeoUnit::Kilometers), &options);
/// assert_eq!(
///     cmd.cmd().args().collect::<Vec<_>>(),
///     [&b"GEOSEARCH"[..], b"Sicily", b"FROMLONLAT", b"15.0", b"37.0", b"BYRADIUS", b"200.0", b"km",
///      b"ASC", b"COUNT", b"5", b"WITHCOORD", b"WITHDIST"]
/// );
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GeoSearchOptions {
    order: Option<Order>,
    count: Option<Count>,
    with_coord: bool,
    with_dist: bool,
    with_hash: bool,
}

impl GeoSearchOptions {
    /// No options: every match, unsorted, members only.
    pub fn new() -> GeoSearchOptions {
        GeoSearchOptions::default()
    }

    /// `ASC`: nearest first.
    #[must_use]
    pub fn asc(mut self) -> Self {
        self.order = Some(Order::Asc);
        self
    }

    /// `DESC`: farthest first.
    #[must_use]
    pub fn desc(mut self) -> Self {
        self.order = Some(Order::Desc);
        self
    }

    /// `COUNT n`: the `n` first matches (after sorting, if sorted).
    #[must_use]
    pub fn count(mut self, n: u64) -> Self {
        self.count = Some(Count { n, any: false });
        self
    }

    /// `COUNT n ANY`: stop as soon as `n` matches are found (faster, not the nearest).
    #[must_use]
    pub fn count_any(mut self, n: u64) -> Self {
        self.count = Some(Count { n, any: true });
        self
    }

    /// `WITHCOORD`: include each member's position.
    #[must_use]
    pub fn with_coord(mut self) -> Self {
        self.with_coord = true;
        self
    }

    /// `WITHDIST`: include each member's distance from the center, in the query's unit.
    #[must_use]
    pub fn with_dist(mut self) -> Self {
        self.with_dist = true;
        self
    }

    /// `WITHHASH`: include each member's raw geohash.
    #[must_use]
    pub fn with_hash(mut self) -> Self {
        self.with_hash = true;
        self
    }

    fn push_with(&self, cmd: &mut Cmd) {
        if self.with_coord {
            cmd.push_arg("WITHCOORD");
        }
        if self.with_dist {
            cmd.push_arg("WITHDIST");
        }
        if self.with_hash {
            cmd.push_arg("WITHHASH");
        }
    }

    fn push_order(&self, cmd: &mut Cmd) {
        if let Some(order) = self.order {
            cmd.push_arg(order.token());
        }
    }
}

impl ToArgs for GeoSearchOptions {
    /// Writes `[ASC | DESC] [COUNT n [ANY]] [WITHCOORD] [WITHDIST] [WITHHASH]`.
    fn write_args<W: ArgWriter + ?Sized>(&self, out: &mut W) {
        if let Some(order) = self.order {
            out.write_arg(order.token().as_bytes());
        }
        if let Some(Count { n, any }) = self.count {
            out.write_arg(b"COUNT");
            out.write_arg_u64(n);
            if any {
                out.write_arg(b"ANY");
            }
        }
        if self.with_coord {
            out.write_arg(b"WITHCOORD");
        }
        if self.with_dist {
            out.write_arg(b"WITHDIST");
        }
        if self.with_hash {
            out.write_arg(b"WITHHASH");
        }
    }
}

/// `GEOSEARCH key FROMMEMBER member | FROMLONLAT lon lat BYRADIUS radius unit | BYBOX
/// width height unit [ASC | DESC] [COUNT n [ANY]] [WITHCOORD] [WITHDIST] [WITHHASH]`:
/// the members within a shape around a center (Redis 6.2+).
pub fn geosearch_options<K: ToArgs>(
    key: K,
    from: GeoFrom,
    by: GeoBy,
    options: &GeoSearchOptions,
) -> Typed<Vec<GeoSearchResult>> {
    let mut cmd = Cmd::new("GEOSEARCH");
    cmd.push_arg(key)
        .push_arg(&from)
        .push_arg(by)
        .push_arg(options);
    Typed::new(cmd)
}

/// `GEORADIUS key longitude latitude radius unit [WITHCOORD] [WITHDIST] [WITHHASH]
/// [COUNT n [ANY]] [ASC | DESC]`: the legacy form of a radius search from a position
/// (deprecated since Redis 6.2 in favour of [`geosearch_options`]).
///
/// `STORE` and `STOREDIST` are not offered: use [`geosearchstore_options`].
///
/// ```
/// use ferrodis_commands::commands::{georadius_options, GeoSearchOptions, GeoUnit};
///
/// let cmd = georadius_options("Sicily", 15.0, 37.0, 200.0, GeoUnit::Kilometers, &GeoSearchOptions::new().with_dist().desc());
/// assert_eq!(
///     cmd.cmd().args().collect::<Vec<_>>(),
///     [&b"GEORADIUS"[..], b"Sicily", b"15.0", b"37.0", b"200.0", b"km", b"WITHDIST", b"DESC"]
/// );
/// ```
pub fn georadius_options<K: ToArgs>(
    key: K,
    longitude: f64,
    latitude: f64,
    radius: f64,
    unit: GeoUnit,
    options: &GeoSearchOptions,
) -> Typed<Vec<GeoSearchResult>> {
    let mut cmd = Cmd::new("GEORADIUS");
    cmd.push_arg(key)
        .push_arg(longitude)
        .push_arg(latitude)
        .push_arg(radius)
        .push_arg(unit);
    options.push_with(&mut cmd);
    push_count(&mut cmd, options.count);
    options.push_order(&mut cmd);
    Typed::new(cmd)
}

/// `GEORADIUSBYMEMBER key member radius unit [WITHCOORD] [WITHDIST] [WITHHASH] [COUNT n
/// [ANY]] [ASC | DESC]`: the legacy form of a radius search around a member
/// (deprecated since Redis 6.2 in favour of [`geosearch_options`] with
/// [`GeoFrom::member`]).
pub fn georadiusbymember_options<K: ToArgs, M: ToArgs>(
    key: K,
    member: M,
    radius: f64,
    unit: GeoUnit,
    options: &GeoSearchOptions,
) -> Typed<Vec<GeoSearchResult>> {
    let mut cmd = Cmd::new("GEORADIUSBYMEMBER");
    cmd.push_arg(key)
        .push_arg(member)
        .push_arg(radius)
        .push_arg(unit);
    options.push_with(&mut cmd);
    push_count(&mut cmd, options.count);
    options.push_order(&mut cmd);
    Typed::new(cmd)
}

// ---------------------------------------------------------------------------------------
// GEOSEARCHSTORE
// ---------------------------------------------------------------------------------------

/// Options of GEOSEARCHSTORE: ordering, `COUNT` (optionally `ANY`) and `STOREDIST`.
///
/// ```
/// use ferrodis_commands::commands::{geosearchstore_options, GeoBy, GeoFrom, GeoSearchStoreOptions, GeoUnit};
///
/// let options = GeoSearchStoreOptions::new().count_any(3).storedist();
/// let cmd = geosearchstore_options("near", "Sicily", GeoFrom::member("Palermo"), GeoBy::box_(400.0, 300.5, GeoUnit::Miles), &options);
/// assert_eq!(
///     cmd.cmd().args().collect::<Vec<_>>(),
///     [&b"GEOSEARCHSTORE"[..], b"near", b"Sicily", b"FROMMEMBER", b"Palermo", b"BYBOX", b"400.0", b"300.5", b"mi",
///      b"COUNT", b"3", b"ANY", b"STOREDIST"]
/// );
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GeoSearchStoreOptions {
    order: Option<Order>,
    count: Option<Count>,
    storedist: bool,
}

impl GeoSearchStoreOptions {
    /// No options.
    pub fn new() -> GeoSearchStoreOptions {
        GeoSearchStoreOptions::default()
    }

    /// `ASC`: nearest first (matters with `COUNT`).
    #[must_use]
    pub fn asc(mut self) -> Self {
        self.order = Some(Order::Asc);
        self
    }

    /// `DESC`: farthest first (matters with `COUNT`).
    #[must_use]
    pub fn desc(mut self) -> Self {
        self.order = Some(Order::Desc);
        self
    }

    /// `COUNT n`.
    #[must_use]
    pub fn count(mut self, n: u64) -> Self {
        self.count = Some(Count { n, any: false });
        self
    }

    /// `COUNT n ANY`.
    #[must_use]
    pub fn count_any(mut self, n: u64) -> Self {
        self.count = Some(Count { n, any: true });
        self
    }

    /// `STOREDIST`: store each member's distance as its score, instead of its geohash
    /// (the destination is then a plain sorted set, no longer usable by GEO commands).
    #[must_use]
    pub fn storedist(mut self) -> Self {
        self.storedist = true;
        self
    }
}

impl ToArgs for GeoSearchStoreOptions {
    /// Writes `[ASC | DESC] [COUNT n [ANY]] [STOREDIST]`.
    fn write_args<W: ArgWriter + ?Sized>(&self, out: &mut W) {
        if let Some(order) = self.order {
            out.write_arg(order.token().as_bytes());
        }
        if let Some(Count { n, any }) = self.count {
            out.write_arg(b"COUNT");
            out.write_arg_u64(n);
            if any {
                out.write_arg(b"ANY");
            }
        }
        if self.storedist {
            out.write_arg(b"STOREDIST");
        }
    }
}

/// `GEOSEARCHSTORE destination source FROMMEMBER ... | FROMLONLAT ... BYRADIUS ... |
/// BYBOX ... [ASC | DESC] [COUNT n [ANY]] [STOREDIST]`: stores the members of a search
/// into `destination`; replies with how many were stored.
pub fn geosearchstore_options<D: ToArgs, S: ToArgs>(
    destination: D,
    source: S,
    from: GeoFrom,
    by: GeoBy,
    options: &GeoSearchStoreOptions,
) -> Typed<u64> {
    let mut cmd = Cmd::new("GEOSEARCHSTORE");
    cmd.push_arg(destination)
        .push_arg(source)
        .push_arg(&from)
        .push_arg(by)
        .push_arg(options);
    Typed::new(cmd)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args<R>(t: &Typed<R>) -> Vec<Vec<u8>> {
        t.cmd().args().map(<[u8]>::to_vec).collect()
    }

    fn v(list: &[&str]) -> Vec<Vec<u8>> {
        list.iter().map(|s| s.as_bytes().to_vec()).collect()
    }

    #[test]
    fn geoadd() {
        let t = geoadd_options(
            "k",
            [(1.5, 2.25, "a"), (-3.0, 4.0, "b")],
            &GeoAddOptions::new(),
        );
        assert_eq!(
            args(&t),
            v(&["GEOADD", "k", "1.5", "2.25", "a", "-3.0", "4.0", "b"])
        );

        // NX and XX exclude each other: the last call wins.
        let t = geoadd_options(
            "k",
            vec![(1.0, 2.0, "a")],
            &GeoAddOptions::new().ch().xx().nx(),
        );
        assert_eq!(args(&t), v(&["GEOADD", "k", "NX", "CH", "1.0", "2.0", "a"]));
    }

    #[test]
    fn geosearch() {
        let t = geosearch_options(
            "k",
            GeoFrom::member("m"),
            GeoBy::radius(1.0, GeoUnit::Meters),
            &GeoSearchOptions::new(),
        );
        assert_eq!(
            args(&t),
            v(&["GEOSEARCH", "k", "FROMMEMBER", "m", "BYRADIUS", "1.0", "m"])
        );

        let opts = GeoSearchOptions::new()
            .with_hash()
            .with_dist()
            .with_coord()
            .count_any(2)
            .asc()
            .desc();
        let t = geosearch_options(
            "k",
            GeoFrom::lonlat(-0.5, 51.25),
            GeoBy::box_(10.0, 20.0, GeoUnit::Feet),
            &opts,
        );
        assert_eq!(
            args(&t),
            v(&[
                "GEOSEARCH",
                "k",
                "FROMLONLAT",
                "-0.5",
                "51.25",
                "BYBOX",
                "10.0",
                "20.0",
                "ft",
                "DESC",
                "COUNT",
                "2",
                "ANY",
                "WITHCOORD",
                "WITHDIST",
                "WITHHASH",
            ])
        );
    }

    #[test]
    fn geosearchstore() {
        let t = geosearchstore_options(
            "dst",
            "src",
            GeoFrom::lonlat(1.0, 2.0),
            GeoBy::radius(5.0, GeoUnit::Kilometers),
            &GeoSearchStoreOptions::new(),
        );
        assert_eq!(
            args(&t),
            v(&[
                "GEOSEARCHSTORE",
                "dst",
                "src",
                "FROMLONLAT",
                "1.0",
                "2.0",
                "BYRADIUS",
                "5.0",
                "km"
            ])
        );
        let t = geosearchstore_options(
            "dst",
            "src",
            GeoFrom::member(b"m"),
            GeoBy::radius(5.0, GeoUnit::Kilometers),
            &GeoSearchStoreOptions::new().asc().count(1).storedist(),
        );
        assert_eq!(
            args(&t),
            v(&[
                "GEOSEARCHSTORE",
                "dst",
                "src",
                "FROMMEMBER",
                "m",
                "BYRADIUS",
                "5.0",
                "km",
                "ASC",
                "COUNT",
                "1",
                "STOREDIST",
            ])
        );
    }

    #[test]
    fn georadius() {
        let t = georadius_options(
            "k",
            15.0,
            37.0,
            100.0,
            GeoUnit::Meters,
            &GeoSearchOptions::new(),
        );
        assert_eq!(
            args(&t),
            v(&["GEORADIUS", "k", "15.0", "37.0", "100.0", "m"])
        );

        let opts = GeoSearchOptions::new()
            .asc()
            .count(3)
            .with_hash()
            .with_coord();
        let t = georadius_options("k", 15.0, 37.0, 100.0, GeoUnit::Miles, &opts);
        assert_eq!(
            args(&t),
            v(&[
                "GEORADIUS",
                "k",
                "15.0",
                "37.0",
                "100.0",
                "mi",
                "WITHCOORD",
                "WITHHASH",
                "COUNT",
                "3",
                "ASC"
            ])
        );
    }

    #[test]
    fn georadiusbymember() {
        let opts = GeoSearchOptions::new().count_any(1).with_dist();
        let t = georadiusbymember_options("k", "Palermo", 200.0, GeoUnit::Kilometers, &opts);
        assert_eq!(
            args(&t),
            v(&[
                "GEORADIUSBYMEMBER",
                "k",
                "Palermo",
                "200.0",
                "km",
                "WITHDIST",
                "COUNT",
                "1",
                "ANY"
            ])
        );
    }

    #[test]
    fn options_as_args() {
        let cmd = Cmd::new("X")
            .arg(GeoSearchOptions::new().desc().count(4).with_dist())
            .arg(GeoAddOptions::new().nx().ch())
            .arg(GeoUnit::Kilometers);
        assert_eq!(
            cmd.args().map(<[u8]>::to_vec).collect::<Vec<_>>(),
            v(&["X", "DESC", "COUNT", "4", "WITHDIST", "NX", "CH", "km"])
        );
    }
}
