"""The read-only FHIR R4 API. The ``fhir.resources`` package the tests check responses with
lives in a ``fhir`` namespace of its own (site-packages/fhir/resources); extending this
package's path lets ``import fhir.resources`` find it beside this app (whose mapping modules are
therefore ``fhir.mapping``, not ``fhir.resources``)."""

from pkgutil import extend_path

__path__ = extend_path(__path__, __name__)
