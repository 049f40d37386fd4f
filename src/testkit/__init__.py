"""The tests ' scaffolding: personas, the permission matrix, the scope sweep, processes, PDFs.

Not part of the shipped package (pyproject includes only `oreledger*`): `oreledger.core` must
import no app, and this kit imports them all."""
