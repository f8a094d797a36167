//! The apiextensions controllers: CRDs are established when created (their resources are
//! served at once, see [`super::after_write`]) and cleaned up when deleted.

use super::{Controller, background, remove_finalizer};
use crate::catalog::StorageKey;
use crate::crd;
use crate::handlers::delete;
use crate::object;
use crate::state::ClusterState;
use std::sync::Arc;
use std::time::Duration;

/// CRD cleanup on deletion.
pub struct CustomResourceDefinitions;

impl Controller for CustomResourceDefinitions {
    fn name(&self) -> &'static str {
        "apiextensions"
    }

    fn reconcile(&self, st: &Arc<ClusterState>) -> Option<Duration> {
        crds(st);
        None
    }
}

/// Deleted CRDs lose their custom resources, then their served types, then themselves.
fn crds(st: &Arc<ClusterState>) {
    let key = StorageKey::new("apiextensions.k8s.io", "customresourcedefinitions");
    for c in st.store.list(&key, None).0 {
        let v = &c.value;
        if !object::is_deleting(v) || !object::finalizers(v).iter().any(|f| f == crd::CLEANUP_FINALIZER) {
            continue;
        }
        let types = crd::types_of(v);
        if let Some(rt) = types.first() {
            for s in st.store.list(&rt.storage, None).0 {
                let _ = delete::delete_object(
                    st,
                    rt,
                    object::namespace(&s.value),
                    object::name(&s.value),
                    &background(),
                );
            }
            if st.store.count(&rt.storage, None) > 0 {
                continue;
            }
        }
        st.catalog_mut().remove_crd(object::name(v));
        remove_finalizer(st, &key, "", object::name(v), crd::CLEANUP_FINALIZER);
    }
}
