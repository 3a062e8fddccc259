//! The map of the province's communes as SVG paths, projected once — the first time a map is
//! drawn, not at start (it would hold memory in every idle server) — from
//! `seed/lam-dong-communes.geojson` (the dashboard colours them per request).

use hocvuso_import::geo::{parse_shapes, Shape};

const GEOJSON: &str = include_str!("../../../seed/lam-dong-communes.geojson");

/// Width of the map in SVG units; the height follows the province's shape.
const WIDTH: f64 = 1000.0;

pub struct MapShape {
    pub code: String,
    /// SVG path data in the map's coordinates (integers, relative moves).
    pub d: String,
    /// The same outline as rings of points (for the PDF report).
    pub rings: Vec<Vec<(i64, i64)>>,
}

pub struct CommuneMap {
    pub width: i64,
    pub height: i64,
    pub shapes: Vec<MapShape>,
}

/// The shipped map, projected on first use and kept.
#[derive(Default)]
pub struct ShippedMap(std::sync::OnceLock<CommuneMap>);

impl ShippedMap {
    pub fn get(&self) -> &CommuneMap {
        self.0.get_or_init(|| {
            CommuneMap::shipped().unwrap_or_else(|e| {
                // The shipped file is checked by a test; an empty map is drawn if it breaks.
                tracing::error!("{e}");
                CommuneMap {
                    width: 0,
                    height: 0,
                    shapes: Vec::new(),
                }
            })
        })
    }
}

impl CommuneMap {
    /// The shipped map of Lâm Đồng.
    pub fn shipped() -> Result<Self, String> {
        let shapes = parse_shapes(GEOJSON).map_err(|e| format!("seed map: {e}"))?;
        Ok(Self::project(&shapes))
    }

    /// Projects longitude/latitude to a `WIDTH`-wide plane (equirectangular, longitudes scaled
    /// by the cosine of the middle latitude, north up).
    pub fn project(shapes: &[Shape]) -> Self {
        let points = || shapes.iter().flat_map(|s| s.rings.iter().flatten());
        let (mut min_x, mut max_x, mut min_y, mut max_y) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
        for &(x, y) in points() {
            min_x = min_x.min(x);
            max_x = max_x.max(x);
            min_y = min_y.min(y);
            max_y = max_y.max(y);
        }
        if min_x > max_x {
            return CommuneMap {
                width: 0,
                height: 0,
                shapes: Vec::new(),
            };
        }
        let k = ((min_y + max_y) / 2.0).to_radians().cos();
        let scale = WIDTH / ((max_x - min_x) * k).max(f64::EPSILON);
        let height = ((max_y - min_y) * scale).ceil();
        let at = |(x, y): (f64, f64)| -> (i64, i64) {
            (
                ((x - min_x) * k * scale).round() as i64,
                ((max_y - y) * scale).round() as i64,
            )
        };
        let shapes = shapes
            .iter()
            .map(|s| {
                let mut d = String::new();
                let mut rings = Vec::with_capacity(s.rings.len());
                for ring in &s.rings {
                    let mut prev: Option<(i64, i64)> = None;
                    let mut points = Vec::with_capacity(ring.len());
                    for &p in ring {
                        let (x, y) = at(p);
                        match prev {
                            None => d.push_str(&format!("M{x} {y}")),
                            Some((px, py)) if (px, py) == (x, y) => continue,
                            Some((px, py)) => d.push_str(&format!("l{} {}", x - px, y - py)),
                        }
                        prev = Some((x, y));
                        points.push((x, y));
                    }
                    d.push('z');
                    rings.push(points);
                }
                MapShape {
                    code: s.code.clone(),
                    d,
                    rings,
                }
            })
            .collect();
        CommuneMap {
            width: WIDTH as i64,
            height: height as i64,
            shapes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::CommuneMap;

    #[test]
    fn the_shipped_map_has_every_commune() {
        let map = CommuneMap::shipped().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(map.shapes.len(), 124);
        assert_eq!(map.width, 1000);
        assert!(map.height > 300 && map.height < 2000, "{}", map.height);
        let bytes: usize = map.shapes.iter().map(|s| s.d.len()).sum();
        assert!(bytes < 150_000, "path data {bytes} bytes");
        assert!(map
            .shapes
            .iter()
            .all(|s| s.d.starts_with('M') && s.d.ends_with('z')));
    }
}
