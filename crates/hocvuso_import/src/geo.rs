//! Commune boundaries from GeoJSON (a FeatureCollection of `Polygon` / `MultiPolygon` features
//! with a `code` property), as rings of (longitude, latitude).

use serde_json::Value;

/// One unit's outline: every ring of every polygon (outer rings and holes alike; drawn with
/// the even-odd rule, holes come out right).
#[derive(Debug, Clone, PartialEq)]
pub struct Shape {
    pub code: String,
    pub rings: Vec<Vec<(f64, f64)>>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum GeoError {
    #[error("not valid JSON: {0}")]
    Json(String),
    #[error("not a GeoJSON FeatureCollection")]
    NotFeatureCollection,
    #[error("feature {0}: no `code` property")]
    NoCode(usize),
    #[error("feature {0}: geometry is not a Polygon or MultiPolygon with [lon, lat] points")]
    Geometry(usize),
}

fn ring(v: &Value) -> Option<Vec<(f64, f64)>> {
    v.as_array()?
        .iter()
        .map(|p| {
            let p = p.as_array()?;
            Some((p.first()?.as_f64()?, p.get(1)?.as_f64()?))
        })
        .collect()
}

fn polygon(v: &Value) -> Option<Vec<Vec<(f64, f64)>>> {
    v.as_array()?.iter().map(ring).collect()
}

pub fn parse_shapes(text: &str) -> Result<Vec<Shape>, GeoError> {
    let root: Value = serde_json::from_str(text).map_err(|e| GeoError::Json(e.to_string()))?;
    let features = root
        .get("features")
        .and_then(Value::as_array)
        .ok_or(GeoError::NotFeatureCollection)?;
    let mut out = Vec::with_capacity(features.len());
    for (i, f) in features.iter().enumerate() {
        let code = f
            .get("properties")
            .and_then(|p| p.get("code"))
            .and_then(Value::as_str)
            .ok_or(GeoError::NoCode(i))?
            .to_owned();
        let geometry = f.get("geometry").ok_or(GeoError::Geometry(i))?;
        let coords = geometry.get("coordinates").ok_or(GeoError::Geometry(i))?;
        let rings = match geometry.get("type").and_then(Value::as_str) {
            Some("Polygon") => polygon(coords),
            Some("MultiPolygon") => coords.as_array().and_then(|polys| {
                polys
                    .iter()
                    .map(polygon)
                    .collect::<Option<Vec<_>>>()
                    .map(|v| v.into_iter().flatten().collect())
            }),
            _ => None,
        }
        .ok_or(GeoError::Geometry(i))?;
        out.push(Shape { code, rings });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_polygons_and_multipolygons() {
        let text = r#"{"type":"FeatureCollection","features":[
          {"type":"Feature","properties":{"code":"1"},"geometry":{"type":"Polygon","coordinates":[[[1,2],[3,4],[1,2]]]}},
          {"type":"Feature","properties":{"code":"2"},"geometry":{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[0,0]]],[[[5,5],[6,5],[5,5]]]]}}
        ]}"#;
        let shapes = parse_shapes(text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(shapes.len(), 2);
        assert_eq!(
            shapes[0].rings,
            vec![vec![(1.0, 2.0), (3.0, 4.0), (1.0, 2.0)]]
        );
        assert_eq!(shapes[1].rings.len(), 2);
        assert_eq!(parse_shapes("[]"), Err(GeoError::NotFeatureCollection));
        assert_eq!(
            parse_shapes(r#"{"features":[{"properties":{},"geometry":{}}]}"#),
            Err(GeoError::NoCode(0))
        );
    }
}
