//! `k8s.io/api/core/v1` pod volumes: the common volume sources (hostPath, emptyDir, secret,
//! configMap, persistentVolumeClaim, downwardAPI, projected, csi, ephemeral, nfs, image,
//! gitRepo). The legacy in-tree cloud and network sources (awsElasticBlockStore,
//! gcePersistentDisk, azureDisk, iscsi, rbd, cephfs, …) are not in the schema: their fields are
//! skipped, leaving a volume with only its name.

use super::schema::Ty::{Bool, I32, I64, Msg, Quantity, Str};
use super::schema::{Message, inline, list, map, one, opt};
use super::schema_container::{OBJECT_FIELD_SELECTOR, RESOURCE_FIELD_SELECTOR};
use super::schema_core::{LOCAL_OBJECT_REFERENCE, PERSISTENT_VOLUME_CLAIM_SPEC};
use super::schema_meta::{LABEL_SELECTOR, OBJECT_META};

/// `Volume`: a name plus the inlined `VolumeSource`.
pub(crate) static VOLUME: Message = Message {
    name: "Volume",
    fields: &[one(1, "name", Str), inline(2, &VOLUME_SOURCE)],
};

/// `VolumeSource`: every member is a pointer, so `emptyDir: {}` survives.
static VOLUME_SOURCE: Message = Message {
    name: "VolumeSource",
    fields: &[
        opt(1, "hostPath", Msg(&HOST_PATH)),
        opt(2, "emptyDir", Msg(&EMPTY_DIR)),
        opt(5, "gitRepo", Msg(&GIT_REPO)),
        opt(6, "secret", Msg(&SECRET_VOLUME)),
        opt(7, "nfs", Msg(&NFS)),
        opt(10, "persistentVolumeClaim", Msg(&PVC_VOLUME)),
        opt(16, "downwardAPI", Msg(&DOWNWARD_API_VOLUME)),
        opt(19, "configMap", Msg(&CONFIG_MAP_VOLUME)),
        opt(26, "projected", Msg(&PROJECTED)),
        opt(28, "csi", Msg(&CSI)),
        opt(29, "ephemeral", Msg(&EPHEMERAL)),
        opt(30, "image", Msg(&IMAGE)),
    ],
};

static HOST_PATH: Message = Message {
    name: "HostPathVolumeSource",
    fields: &[one(1, "path", Str), opt(2, "type", Str)],
};

static EMPTY_DIR: Message = Message {
    name: "EmptyDirVolumeSource",
    fields: &[one(1, "medium", Str), opt(2, "sizeLimit", Quantity)],
};

static GIT_REPO: Message = Message {
    name: "GitRepoVolumeSource",
    fields: &[
        one(1, "repository", Str),
        one(2, "revision", Str),
        one(3, "directory", Str),
    ],
};

static SECRET_VOLUME: Message = Message {
    name: "SecretVolumeSource",
    fields: &[
        one(1, "secretName", Str),
        list(2, "items", Msg(&KEY_TO_PATH)),
        opt(3, "defaultMode", I32),
        opt(4, "optional", Bool),
    ],
};

static KEY_TO_PATH: Message = Message {
    name: "KeyToPath",
    fields: &[one(1, "key", Str), one(2, "path", Str), opt(3, "mode", I32)],
};

static NFS: Message = Message {
    name: "NFSVolumeSource",
    fields: &[
        one(1, "server", Str),
        one(2, "path", Str),
        one(3, "readOnly", Bool),
    ],
};

static PVC_VOLUME: Message = Message {
    name: "PersistentVolumeClaimVolumeSource",
    fields: &[one(1, "claimName", Str), one(2, "readOnly", Bool)],
};

static DOWNWARD_API_VOLUME: Message = Message {
    name: "DownwardAPIVolumeSource",
    fields: &[
        list(1, "items", Msg(&DOWNWARD_API_FILE)),
        opt(2, "defaultMode", I32),
    ],
};

static DOWNWARD_API_FILE: Message = Message {
    name: "DownwardAPIVolumeFile",
    fields: &[
        one(1, "path", Str),
        opt(2, "fieldRef", Msg(&OBJECT_FIELD_SELECTOR)),
        opt(3, "resourceFieldRef", Msg(&RESOURCE_FIELD_SELECTOR)),
        opt(4, "mode", I32),
    ],
};

static CONFIG_MAP_VOLUME: Message = Message {
    name: "ConfigMapVolumeSource",
    fields: &[
        inline(1, &LOCAL_OBJECT_REFERENCE),
        list(2, "items", Msg(&KEY_TO_PATH)),
        opt(3, "defaultMode", I32),
        opt(4, "optional", Bool),
    ],
};

static PROJECTED: Message = Message {
    name: "ProjectedVolumeSource",
    fields: &[
        list(1, "sources", Msg(&VOLUME_PROJECTION)),
        opt(2, "defaultMode", I32),
    ],
};

static VOLUME_PROJECTION: Message = Message {
    name: "VolumeProjection",
    fields: &[
        opt(1, "secret", Msg(&KEY_PROJECTION)),
        opt(2, "downwardAPI", Msg(&DOWNWARD_API_PROJECTION)),
        opt(3, "configMap", Msg(&KEY_PROJECTION)),
        opt(4, "serviceAccountToken", Msg(&SERVICE_ACCOUNT_TOKEN_PROJECTION)),
        opt(5, "clusterTrustBundle", Msg(&CLUSTER_TRUST_BUNDLE_PROJECTION)),
    ],
};

/// `SecretProjection` and `ConfigMapProjection`.
static KEY_PROJECTION: Message = Message {
    name: "SecretProjection",
    fields: &[
        inline(1, &LOCAL_OBJECT_REFERENCE),
        list(2, "items", Msg(&KEY_TO_PATH)),
        opt(4, "optional", Bool),
    ],
};

static DOWNWARD_API_PROJECTION: Message = Message {
    name: "DownwardAPIProjection",
    fields: &[list(1, "items", Msg(&DOWNWARD_API_FILE))],
};

static SERVICE_ACCOUNT_TOKEN_PROJECTION: Message = Message {
    name: "ServiceAccountTokenProjection",
    fields: &[
        one(1, "audience", Str),
        opt(2, "expirationSeconds", I64),
        one(3, "path", Str),
    ],
};

static CLUSTER_TRUST_BUNDLE_PROJECTION: Message = Message {
    name: "ClusterTrustBundleProjection",
    fields: &[
        opt(1, "name", Str),
        opt(2, "signerName", Str),
        opt(3, "labelSelector", Msg(&LABEL_SELECTOR)),
        opt(5, "optional", Bool),
        one(4, "path", Str),
    ],
};

static CSI: Message = Message {
    name: "CSIVolumeSource",
    fields: &[
        one(1, "driver", Str),
        opt(2, "readOnly", Bool),
        opt(3, "fsType", Str),
        map(4, "volumeAttributes", Str),
        opt(5, "nodePublishSecretRef", Msg(&LOCAL_OBJECT_REFERENCE)),
    ],
};

static EPHEMERAL: Message = Message {
    name: "EphemeralVolumeSource",
    fields: &[opt(1, "volumeClaimTemplate", Msg(&PVC_TEMPLATE))],
};

static PVC_TEMPLATE: Message = Message {
    name: "PersistentVolumeClaimTemplate",
    fields: &[
        one(1, "metadata", Msg(&OBJECT_META)),
        one(2, "spec", Msg(&PERSISTENT_VOLUME_CLAIM_SPEC)),
    ],
};

static IMAGE: Message = Message {
    name: "ImageVolumeSource",
    fields: &[one(1, "reference", Str), one(2, "pullPolicy", Str)],
};
