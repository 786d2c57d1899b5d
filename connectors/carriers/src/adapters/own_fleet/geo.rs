//! Distances for the per-km price and the distance rings: great-circle distance from the
//! base to the destination's postal-code centre, times the tariff's road factor.

use super::tariff::Point;

/// Mean Earth radius in kilometres (IUGG), the usual haversine constant.
const EARTH_RADIUS_KM: f64 = 6371.0;

/// Great-circle distance between two points, in kilometres (haversine formula).
pub(crate) fn great_circle_km(a: Point, b: Point) -> f64 {
    let (phi1, phi2) = (a.lat.to_radians(), b.lat.to_radians());
    let d_phi = (b.lat - a.lat).to_radians();
    let d_lambda = (b.lon - a.lon).to_radians();
    let h = (d_phi / 2.0).sin().powi(2) + phi1.cos() * phi2.cos() * (d_lambda / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
}
