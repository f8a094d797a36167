//! OpenAPI documents (`/openapi/v2`, `/openapi/v3`, `/openapi/v3/{group-version}`), enough for
//! kubectl's validation and patch computation.

use crate::catalog::Catalog;
use crate::error::{ApiError, Result};

/// A served OpenAPI document: content type and body.
pub struct OpenApiDoc {
    /// `Content-Type` of the body.
    pub content_type: &'static str,
    /// Body bytes.
    pub body: Vec<u8>,
}

/// Serves `path` (starting with `/openapi/`), or a NotFound error.
pub fn serve(_catalog: &Catalog, _path: &str) -> Result<OpenApiDoc> {
    Err(ApiError::path_not_found())
}
