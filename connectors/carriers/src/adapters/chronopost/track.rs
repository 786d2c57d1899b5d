//! `trackSkybillV2` of TrackingServiceWS, one skybill per call; the answer is read by
//! the registry's `chronopost` parser ([`crate::track`]), the same one that reads saved
//! answers, so live tracking and `shipgate track --parse` agree.

use super::cancel::NAMESPACE;
use super::soap::Envelope;

/// The `trackSkybillV2` envelope for one skybill (no credentials: tracking is public).
pub(crate) fn request(skybill: &str) -> String {
    let mut env = Envelope::new(NAMESPACE, "trackSkybillV2");
    env.leaf("language", "en_GB").leaf("skybillNumber", skybill);
    env.finish()
}
