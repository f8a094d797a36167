//! Operations across clusters, each producing a typed outcome with per-cluster error rows.
//! Reads (`get`, `describe`, `logs`, `top`, `rollout status`) answer directly; writes
//! (`apply`, `delete`, `scale`, `rollout restart|undo`) produce a
//! [`Plan`](kubegenie_core::plan::Plan) — [`dispatch::plan`] picks the planner for an
//! [`Operation`](kubegenie_core::operation::Operation) — that [`execute::execute`] runs after
//! confirmation.

pub mod apply;
pub mod audit;
pub mod delete;
pub mod describe;
pub mod dispatch;
pub mod execute;
pub mod get;
pub mod logs;
pub mod manifest;
pub mod rollout;
pub mod scale;
pub mod sort_by;
mod target;
pub mod top;
pub mod watch;

impl From<&kubegenie_core::operation::GetRequest> for get::GetQuery {
    fn from(r: &kubegenie_core::operation::GetRequest) -> Self {
        Self {
            kind: r.kind.clone(),
            names: r.names.clone(),
            namespace: r.namespace.clone(),
            all_namespaces: r.all_namespaces,
            label_selector: r.label_selector.clone(),
            field_selector: r.field_selector.clone(),
            ..Self::default()
        }
    }
}
