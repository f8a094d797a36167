//! From a typed [`Operation`] to its plan: the one entry point front ends (CLI, REST, MCP,
//! chat) use for writes, so none of them needs to know which planner serves which variant.

use crate::fanout::FanOut;
use crate::ops::get::Connected;
use crate::ops::{apply, delete, rollout, scale};
use kubegenie_core::operation::{DeleteRefusal, Operation, RolloutAction};
use kubegenie_core::plan::Plan;

/// Why an operation has no plan.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    /// The operation only reads.
    #[error("{0} does not change anything, so it has no plan")]
    NotAWrite(&'static str),
    /// The request was refused before anything was sent.
    #[error(transparent)]
    Refused(#[from] DeleteRefusal),
}

/// Plans a write on `clusters`.
pub async fn plan(clusters: &[Connected], op: &Operation, fan: FanOut) -> Result<Plan, PlanError> {
    match op {
        Operation::Apply(r) => Ok(apply::plan_apply(clusters, r, fan).await),
        Operation::Delete(r) => Ok(delete::plan_delete(clusters, r, fan).await?),
        Operation::Scale(r) => Ok(scale::plan_scale(clusters, r, fan).await),
        Operation::Rollout(r) if r.action != RolloutAction::Status => {
            Ok(rollout::plan_rollout(clusters, r, fan).await)
        }
        read => Err(PlanError::NotAWrite(read.name())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kubegenie_core::operation::{DeleteRequest, GetRequest, ObjectSelector};

    #[tokio::test]
    async fn reads_have_no_plan_and_refusals_come_first() {
        let get = Operation::Get(GetRequest::default());
        assert_eq!(
            plan(&[], &get, FanOut::default()).await,
            Err(PlanError::NotAWrite("get"))
        );
        let delete = Operation::Delete(DeleteRequest {
            objects: ObjectSelector::parse("pods", &[]),
            ..Default::default()
        });
        assert_eq!(
            plan(&[], &delete, FanOut::default()).await,
            Err(PlanError::Refused(DeleteRefusal::NothingSelected))
        );
    }
}
