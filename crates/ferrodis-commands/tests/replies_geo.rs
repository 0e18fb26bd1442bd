//! GEO replies, decoded from bytes captured from redis-server 7.0.15 over RESP2 and RESP3
//! (`HELLO 3`), where coordinates are bulk strings and RESP3 doubles respectively.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use ferrodis_commands::replies::{GeoPos, GeoSearchResult};
use ferrodis_commands::{Error, FromValue, Value};

fn decode(bytes: &[u8]) -> Value {
    let (value, used) = ferrodis_resp::decode(bytes).unwrap().unwrap();
    assert_eq!(used, bytes.len(), "trailing bytes");
    value
}

fn parse<T: FromValue>(bytes: &[u8]) -> T {
    T::from_value(decode(bytes)).unwrap()
}

fn both<T: FromValue + PartialEq + std::fmt::Debug>(resp2: &[u8], resp3: &[u8]) -> T {
    let a: T = parse(resp2);
    let b: T = parse(resp3);
    assert_eq!(a, b, "RESP2 and RESP3 forms differ");
    a
}

const PALERMO: GeoPos = GeoPos {
    longitude: 13.361_389_338_970_184,
    latitude: 38.115_556_395_496_3,
};
const CATANIA: GeoPos = GeoPos {
    longitude: 15.087_267_458_438_873,
    latitude: 37.502_668_423_331_62,
};

fn close(a: GeoPos, b: GeoPos) -> bool {
    (a.longitude - b.longitude).abs() < 1e-9 && (a.latitude - b.latitude).abs() < 1e-9
}

#[test]
fn geopos_with_missing_member() {
    let pos: Vec<Option<GeoPos>> = both(
        b"*2\r\n*2\r\n$20\r\n13.36138933897018433\r\n$20\r\n38.11555639549629859\r\n*-1\r\n",
        b"*2\r\n*2\r\n,13.36138933897018433\r\n,38.11555639549629859\r\n_\r\n",
    );
    assert_eq!(pos.len(), 2);
    assert!(close(pos[0].unwrap(), PALERMO));
    assert_eq!(pos[1], None);
}

#[test]
fn geodist() {
    let d: Option<f64> = both(b"$8\r\n166.2742\r\n", b"$8\r\n166.2742\r\n");
    assert_eq!(d, Some(166.2742));
    let d: Option<f64> = both(b"$-1\r\n", b"_\r\n");
    assert_eq!(d, None);
    // A RESP3 double, as later servers may send.
    assert_eq!(parse::<Option<f64>>(b",166.2742\r\n"), Some(166.2742));
}

#[test]
fn geosearch_members_only() {
    let r: Vec<GeoSearchResult> = both(
        b"*2\r\n$7\r\nCatania\r\n$7\r\nPalermo\r\n",
        b"*2\r\n$7\r\nCatania\r\n$7\r\nPalermo\r\n",
    );
    assert_eq!(
        r.iter().map(|r| r.member.clone()).collect::<Vec<_>>(),
        ["Catania", "Palermo"]
    );
    assert!(r
        .iter()
        .all(|r| r.dist.is_none() && r.hash.is_none() && r.coord.is_none()));
}

#[test]
fn geosearch_with_everything() {
    let r: Vec<GeoSearchResult> = both(b"*2\r\n*4\r\n$7\r\nCatania\r\n$7\r\n56.4413\r\n:3479447370796909\r\n*2\r\n$20\r\n15.08726745843887329\r\n$20\r\n37.50266842333162032\r\n*4\r\n$7\r\nPalermo\r\n$8\r\n190.4424\r\n:3479099956230698\r\n*2\r\n$20\r\n13.36138933897018433\r\n$20\r\n38.11555639549629859\r\n", b"*2\r\n*4\r\n$7\r\nCatania\r\n$7\r\n56.4413\r\n:3479447370796909\r\n*2\r\n,15.08726745843887329\r\n,37.50266842333162032\r\n*4\r\n$7\r\nPalermo\r\n$8\r\n190.4424\r\n:3479099956230698\r\n*2\r\n,13.36138933897018433\r\n,38.11555639549629859\r\n");
    assert_eq!(r[0].member, "Catania");
    assert_eq!(r[0].dist, Some(56.4413));
    assert_eq!(r[0].hash, Some(3_479_447_370_796_909));
    assert!(close(r[0].coord.unwrap(), CATANIA));
    assert_eq!(r[1].member, "Palermo");
    assert_eq!(r[1].dist, Some(190.4424));
    assert_eq!(r[1].hash, Some(3_479_099_956_230_698));
    assert!(close(r[1].coord.unwrap(), PALERMO));
}

#[test]
fn geosearch_with_one_part() {
    let r: Vec<GeoSearchResult> = both(
        b"*2\r\n*2\r\n$7\r\nCatania\r\n$7\r\n56.4413\r\n*2\r\n$7\r\nPalermo\r\n$8\r\n190.4424\r\n",
        b"*2\r\n*2\r\n$7\r\nCatania\r\n$7\r\n56.4413\r\n*2\r\n$7\r\nPalermo\r\n$8\r\n190.4424\r\n",
    );
    assert_eq!(
        (r[0].dist, r[0].hash, r[0].coord),
        (Some(56.4413), None, None)
    );

    let r: Vec<GeoSearchResult> = both(b"*2\r\n*2\r\n$7\r\nPalermo\r\n:3479099956230698\r\n*2\r\n$7\r\nCatania\r\n:3479447370796909\r\n", b"*2\r\n*2\r\n$7\r\nPalermo\r\n:3479099956230698\r\n*2\r\n$7\r\nCatania\r\n:3479447370796909\r\n");
    assert_eq!(r[0].member, "Palermo");
    assert_eq!(
        (r[0].dist, r[0].hash, r[0].coord),
        (None, Some(3_479_099_956_230_698), None)
    );

    let r: Vec<GeoSearchResult> = both(b"*2\r\n*2\r\n$7\r\nCatania\r\n*2\r\n$20\r\n15.08726745843887329\r\n$20\r\n37.50266842333162032\r\n*2\r\n$7\r\nPalermo\r\n*2\r\n$20\r\n13.36138933897018433\r\n$20\r\n38.11555639549629859\r\n", b"*2\r\n*2\r\n$7\r\nCatania\r\n*2\r\n,15.08726745843887329\r\n,37.50266842333162032\r\n*2\r\n$7\r\nPalermo\r\n*2\r\n,13.36138933897018433\r\n,38.11555639549629859\r\n");
    assert_eq!((r[0].dist, r[0].hash), (None, None));
    assert!(close(r[0].coord.unwrap(), CATANIA));

    let r: Vec<GeoSearchResult> = both(b"*2\r\n*3\r\n$7\r\nCatania\r\n:3479447370796909\r\n*2\r\n$20\r\n15.08726745843887329\r\n$20\r\n37.50266842333162032\r\n*3\r\n$7\r\nPalermo\r\n:3479099956230698\r\n*2\r\n$20\r\n13.36138933897018433\r\n$20\r\n38.11555639549629859\r\n", b"*2\r\n*3\r\n$7\r\nCatania\r\n:3479447370796909\r\n*2\r\n,15.08726745843887329\r\n,37.50266842333162032\r\n*3\r\n$7\r\nPalermo\r\n:3479099956230698\r\n*2\r\n,13.36138933897018433\r\n,38.11555639549629859\r\n");
    assert_eq!(r[1].hash, Some(3_479_099_956_230_698));
    assert!(close(r[1].coord.unwrap(), PALERMO));
    assert_eq!(r[1].dist, None);
}

#[test]
fn georadius_withdist() {
    let r: Vec<GeoSearchResult> = both(
        b"*2\r\n*2\r\n$7\r\nCatania\r\n$7\r\n56.4413\r\n*2\r\n$7\r\nPalermo\r\n$8\r\n190.4424\r\n",
        b"*2\r\n*2\r\n$7\r\nCatania\r\n$7\r\n56.4413\r\n*2\r\n$7\r\nPalermo\r\n$8\r\n190.4424\r\n",
    );
    assert_eq!(r.len(), 2);
    assert_eq!(r[1].dist, Some(190.4424));
    // A RESP3 double distance, as later servers may send.
    let r: Vec<GeoSearchResult> = parse(b"*1\r\n*2\r\n$7\r\nCatania\r\n,56.4413\r\n");
    assert_eq!(r[0].dist, Some(56.4413));
}

#[test]
fn geo_counts() {
    assert_eq!(both::<u64>(b":2\r\n", b":2\r\n"), 2);
    assert_eq!(parse::<u64>(b":1\r\n"), 1);
}

#[test]
fn unexpected_shapes_are_conversion_errors() {
    let bad: &[&[u8]] = &[
        b"*0\r\n",                                  // no member
        b"*2\r\n$1\r\na\r\n*1\r\n:1\r\n",           // coordinates of one number
        b"*3\r\n$1\r\na\r\n:1\r\n$3\r\n1.5\r\n",    // distance after hash
        b"*3\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\n2\r\n", // two distances
        b"*2\r\n$1\r\na\r\n$3\r\nabc\r\n",          // distance not a number
        b":5\r\n",
    ];
    for case in bad {
        let r = GeoSearchResult::from_value(decode(case));
        assert!(
            matches!(r, Err(Error::Conversion { .. })),
            "{case:?}: {r:?}"
        );
    }
    assert!(matches!(
        GeoPos::from_value(decode(b"*1\r\n$1\r\n1\r\n")),
        Err(Error::Conversion { .. })
    ));
}
