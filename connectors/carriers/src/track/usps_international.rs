//! USPS international tracking: the same Tracking API v3 answer as domestic mail (see
//! [`super::usps`]), kept as its own API name so errors say which one was asked.

use super::{ParcelTrack, TrackError};

/// Parses a USPS international tracking answer.
pub(super) fn parse(body: &[u8]) -> Result<Vec<ParcelTrack>, TrackError> {
    super::usps::parse_as("usps_international", body)
}
