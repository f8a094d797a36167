"""CustomResourceDefinitions: create one, then use its custom resources like built-ins."""

from __future__ import annotations

from pathlib import Path

import support
from support import Kubectl

GROUP = "e2e.kubegenie.dev"

CRD = f"""\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.{GROUP}
spec:
  group: {GROUP}
  scope: Namespaced
  names:
    plural: widgets
    singular: widget
    kind: Widget
    listKind: WidgetList
    shortNames: [wdg]
    categories: [e2e]
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              size:
                type: integer
              color:
                type: string
              owner:
                type: string
    additionalPrinterColumns:
    - name: Size
      type: integer
      jsonPath: .spec.size
    - name: Color
      type: string
      jsonPath: .spec.color
    - name: Owner
      type: string
      jsonPath: .spec.owner
      priority: 1
    - name: Age
      type: date
      jsonPath: .metadata.creationTimestamp
"""

WIDGETS = """\
apiVersion: {group}/v1
kind: Widget
metadata:
  name: small
  namespace: {ns}
spec:
  size: 3
  color: red
  owner: alice
---
apiVersion: {group}/v1
kind: Widget
metadata:
  name: large
  namespace: {ns}
spec:
  size: 42
  color: blue
  owner: bob
"""


def install_crd(kubectl: Kubectl, tmp_path: Path) -> None:
    crd = tmp_path / "crd.yaml"
    crd.write_text(CRD)
    r = kubectl.run("apply", "-f", crd)
    assert r.stdout.strip() in {
        f"customresourcedefinition.apiextensions.k8s.io/widgets.{GROUP} created",
        f"customresourcedefinition.apiextensions.k8s.io/widgets.{GROUP} unchanged",
    }, r.describe()
    kubectl.run("wait", "--for=condition=Established", f"crd/widgets.{GROUP}", f"--timeout={int(support.POLL_TIMEOUT)}s")
    # Discovery may lag the Established condition on a real cluster: poll it.
    support.wait_until(
        lambda: "widgets" in kubectl.run("api-resources", f"--api-group={GROUP}", "-o", "name").stdout,
        "widgets in discovery",
    )


def test_crd_printer_columns(kubectl: Kubectl, ns: str, tmp_path: Path) -> None:
    install_crd(kubectl, tmp_path)
    crs = tmp_path / "widgets.yaml"
    crs.write_text(WIDGETS.format(group=GROUP, ns=ns))
    r = kubectl.run("apply", "-f", crs)
    assert r.lines == [f"widget.{GROUP}/small created", f"widget.{GROUP}/large created"], r.describe()

    out = kubectl.run("get", "widgets", "-n", ns, "--sort-by=.spec.size").stdout
    header, rows = support.table_rows(out)
    assert header == ["NAME", "SIZE", "COLOR", "AGE"], out
    assert [r[:3] for r in rows] == [["small", "3", "red"], ["large", "42", "blue"]], out

    # priority > 0 columns appear with -o wide only.
    out = kubectl.run("get", "widgets", "-n", ns, "-o", "wide", "--sort-by=.spec.size").stdout
    header, rows = support.table_rows(out)
    assert header == ["NAME", "SIZE", "COLOR", "OWNER", "AGE"], out
    assert [r[:4] for r in rows] == [["small", "3", "red", "alice"], ["large", "42", "blue", "bob"]], out

    # Short name, singular, and fully qualified names all resolve; so does the category.
    for name in ["wdg", "widget", f"widgets.{GROUP}", f"widgets.v1.{GROUP}"]:
        got = kubectl.run("get", name, "-n", ns, "-o", "name").stdout.split()
        assert sorted(got) == [f"widget.{GROUP}/large", f"widget.{GROUP}/small"], (name, got)
    got = kubectl.run("get", "e2e", "-n", ns, "-o", "name").stdout.split()
    assert sorted(got) == [f"widget.{GROUP}/large", f"widget.{GROUP}/small"], got

    w = kubectl.json("get", "widget", "large", "-n", ns)
    assert w["apiVersion"] == f"{GROUP}/v1" and w["kind"] == "Widget" and w["spec"]["size"] == 42, w

    r = kubectl.run("patch", "widget", "small", "-n", ns, "--type=merge", "-p", '{"spec":{"size":4}}')
    assert r.stdout.strip() == f"widget.{GROUP}/small patched", r.describe()
    r = kubectl.run("delete", "-f", crs)
    assert sorted(r.lines) == sorted([f'widget.{GROUP} "small" deleted', f'widget.{GROUP} "large" deleted']), r.describe()


def test_crd_describe_and_explain(kubectl: Kubectl, tmp_path: Path) -> None:
    install_crd(kubectl, tmp_path)
    out = kubectl.run("get", "crd", f"widgets.{GROUP}").stdout
    header, rows = support.table_rows(out)
    assert header == ["NAME", "CREATED AT"] and rows[0][0] == f"widgets.{GROUP}", out
    out = kubectl.run("explain", f"widgets.spec.size").stdout
    assert "FIELD: size <integer>" in out, out
