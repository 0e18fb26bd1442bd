//! GEO replies: positions (GEOPOS) and search results (GEOSEARCH, GEORADIUS).
//!
//! A search result's shape depends on the flags of the query: a bare member without any
//! `WITH*` flag, otherwise `[member, dist?, hash?, [lon, lat]?]` with the parts in that
//! fixed order. The parts have distinct RESP types (the distance is a string or a RESP3
//! double, the hash an integer, the coordinates an array), so [`GeoSearchResult`] reads
//! any combination from the reply itself and needs no knowledge of the query.

use bytes::Bytes;
use ferrodis_resp::Value;

use super::util;
use crate::error::Error;
use crate::from_value::FromValue;

/// A position on the map, as GEOPOS and `WITHCOORD` report it.
///
/// GEOPOS replies with one `Option<GeoPos>` per member asked for (`None` for a member
/// that does not exist): ask for `Vec<Option<GeoPos>>`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GeoPos {
    /// Longitude in degrees.
    pub longitude: f64,
    /// Latitude in degrees.
    pub latitude: f64,
}

impl FromValue for GeoPos {
    fn from_value(value: Value) -> Result<Self, Error> {
        const T: &str = "GeoPos";
        let [lon, lat] = util::exact::<2>(value, T)?;
        Ok(GeoPos {
            longitude: util::convert(lon, T, "longitude")?,
            latitude: util::convert(lat, T, "latitude")?,
        })
    }
}

/// One result of GEOSEARCH, GEORADIUS or GEORADIUSBYMEMBER.
///
/// The optional parts are filled according to the query's `WITHDIST`, `WITHHASH` and
/// `WITHCOORD` flags. Ask for `Vec<GeoSearchResult>`.
///
/// ```
/// use ferrodis_commands::FromValue;
/// use ferrodis_commands::replies::GeoSearchResult;
/// use ferrodis_resp::Value;
///
/// // GEOSEARCH ... WITHDIST
/// let reply = Value::Array(vec![Value::Array(vec![
///     Value::BulkString("Catania".into()),
///     Value::BulkString("56.4413".into()),
/// ])]);
/// let results = Vec::<GeoSearchResult>::from_value(reply)?;
/// assert_eq!(results[0].member, "Catania");
/// assert_eq!(results[0].dist, Some(56.4413));
/// assert_eq!(results[0].hash, None);
/// # Ok::<(), ferrodis_commands::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct GeoSearchResult {
    /// The member.
    pub member: Bytes,
    /// Distance from the search center, in the query's unit (`WITHDIST`).
    pub dist: Option<f64>,
    /// The 52-bit geohash score (`WITHHASH`).
    pub hash: Option<i64>,
    /// The member's position (`WITHCOORD`).
    pub coord: Option<GeoPos>,
}

impl FromValue for GeoSearchResult {
    fn from_value(value: Value) -> Result<Self, Error> {
        const T: &str = "GeoSearchResult";
        let items = match util::plain(value)? {
            Value::Array(items) => items,
            plain => {
                return Ok(GeoSearchResult {
                    member: util::convert(plain, T, "member")?,
                    dist: None,
                    hash: None,
                    coord: None,
                })
            }
        };
        let mut it = items.into_iter();
        let member = match it.next() {
            Some(m) => util::convert(m, T, "member")?,
            None => return Err(util::invalid(T, "array", "an empty result".into())),
        };
        let mut out = GeoSearchResult {
            member,
            dist: None,
            hash: None,
            coord: None,
        };
        for part in it {
            match util::plain(part)? {
                Value::Integer(h) if out.hash.is_none() && out.coord.is_none() => {
                    out.hash = Some(h)
                }
                coord @ Value::Array(_) if out.coord.is_none() => {
                    out.coord = Some(util::convert(coord, T, "coordinates")?);
                }
                dist @ (Value::BulkString(_) | Value::SimpleString(_) | Value::Double(_))
                    if out.dist.is_none() && out.hash.is_none() && out.coord.is_none() =>
                {
                    out.dist = Some(util::convert(dist, T, "distance")?);
                }
                other => {
                    return Err(util::mismatch(
                        T,
                        &other,
                        "unexpected part: expected member, then distance, hash, coordinates",
                    ))
                }
            }
        }
        Ok(out)
    }
}
