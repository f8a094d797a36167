//! The OpenAPI 3.1 document, generated from the handlers' annotations, and the Swagger UI page
//! (its assets are vendored into the binary: no CDN).

use crate::routes::{clusters, resources, system};
use axum::Router;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_swagger_ui::SwaggerUi;

/// The API description.
#[derive(OpenApi)]
#[openapi(
    info(title = "KubeGenie API", description = "Kubernetes operations for many clusters at once. \
        Authenticate with `Authorization: Bearer <token>` (an API token or a JWT). Errors are \
        `application/problem+json` with a stable `type` per error class."),
    paths(
        system::healthz, system::readyz, system::metrics, system::whoami,
        clusters::list, clusters::get, clusters::add, clusters::remove, clusters::health, clusters::discover,
        resources::list,
    ),
    components(schemas(crate::error::Problem, crate::error::MissingPermission)),
    modifiers(&Bearer),
    tags(
        (name = "system", description = "Probes and metrics"),
        (name = "auth", description = "Who is calling"),
        (name = "clusters", description = "The cluster registry"),
        (name = "resources", description = "Kubernetes objects across clusters"),
    )
)]
pub struct ApiDoc;

struct Bearer;

impl Modify for Bearer {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("An API token (kg_…) or a JWT"))
                    .build(),
            ),
        );
    }
}

/// `/openapi.json` and the docs page at `/docs`.
pub fn docs<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new().merge(SwaggerUi::new("/docs").url("/openapi.json", ApiDoc::openapi()))
}
