//! Who may do what, and who may talk to whom: the RBAC objects, service accounts and network
//! policies of a cluster, read like [`crate::snapshot`] (one paginated LIST per kind, kinds
//! concurrently, a kind that cannot be read recorded rather than fatal). The security agent
//! reads these next to the cluster snapshot.

use crate::ops::get::Connected;
use crate::snapshot::{Scope, Unreadable, keep, list_all, list_cluster};
use k8s_openapi::api::core::v1::ServiceAccount;
use k8s_openapi::api::networking::v1::NetworkPolicy;
use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, Role, RoleBinding};

/// The access-control objects of one cluster.
#[derive(Debug, Clone, Default)]
pub struct AccessObjects {
    /// Roles (namespaced).
    pub roles: Vec<Role>,
    /// ClusterRoles, aggregated ones included.
    pub cluster_roles: Vec<ClusterRole>,
    /// RoleBindings.
    pub role_bindings: Vec<RoleBinding>,
    /// ClusterRoleBindings.
    pub cluster_role_bindings: Vec<ClusterRoleBinding>,
    /// ServiceAccounts.
    pub service_accounts: Vec<ServiceAccount>,
    /// NetworkPolicies.
    pub network_policies: Vec<NetworkPolicy>,
    /// Kinds that could not be read, with the reason.
    pub unreadable: Vec<Unreadable>,
}

impl AccessObjects {
    /// Whether `resource` (plural) was read.
    pub fn has(&self, resource: &str) -> bool {
        !self.unreadable.iter().any(|u| u.resource == resource)
    }
}

/// Reads the access-control objects of one cluster. Never fails as a whole: kinds that cannot
/// be read (a user without RBAC read access is common) are listed in `unreadable`.
pub async fn collect(c: &Connected, scope: &Scope) -> AccessObjects {
    let cl = &c.client;
    let (roles, cluster_roles, role_bindings, cluster_role_bindings, sas, netpols) = tokio::join!(
        list_all::<Role>(cl, scope),
        list_cluster::<ClusterRole>(cl),
        list_all::<RoleBinding>(cl, scope),
        list_cluster::<ClusterRoleBinding>(cl),
        list_all::<ServiceAccount>(cl, scope),
        list_all::<NetworkPolicy>(cl, scope),
    );
    let mut a = AccessObjects::default();
    let mut failed = Vec::new();
    let f = &mut failed;
    keep(&mut a.roles, f, "roles", roles);
    keep(&mut a.cluster_roles, f, "clusterroles", cluster_roles);
    keep(&mut a.role_bindings, f, "rolebindings", role_bindings);
    keep(
        &mut a.cluster_role_bindings,
        f,
        "clusterrolebindings",
        cluster_role_bindings,
    );
    keep(&mut a.service_accounts, f, "serviceaccounts", sas);
    keep(&mut a.network_policies, f, "networkpolicies", netpols);
    a.unreadable = failed.into_iter().map(|(u, _)| u).collect();
    a
}
