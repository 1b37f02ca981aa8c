"""Resources set up the way members create them: through the services."""

import itertools

from django.core.files.uploadedfile import SimpleUploadedFile

from content import services
from content.forms import clean_resource_file
from content.models import Licence, ResourceType, Theme

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
_seq = itertools.count(1)


def pdf_upload(name="guide.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def submit_resource(author, *, title=None, with_file=True, themes=(), audiences=(), **data):
    fields = {
        "title": title or f"Ressource de test n°{next(_seq)}",
        "summary": "Un résumé de la ressource.",
        "description": "Une **description**.",
        "type": ResourceType.GUIDE,
        "licence": Licence.CC_BY_SA,
        "authors": "",
        "organisation": None,
        "department": None,
        "group": None,
        "url": "" if with_file else "https://exemple.fr/video",
    }
    fields.update(data)
    upload = clean_resource_file(pdf_upload()) if with_file else None
    return services.resource_submit(actor=author, data=fields, themes=themes, audiences=audiences, upload=upload)


def published_resource(author, moderator, **kwargs):
    resource = submit_resource(author, **kwargs)
    return services.resource_publish(actor=moderator, resource=resource)


def theme(slug="sante"):
    return Theme.objects.get(slug=slug)
