"""Demo label campaign for ``manage.py load_demo`` (after the places loader: ``order=200``).

A published referential v1 (15 criteria over 5 axes), applications in several states built
through the services (one granted label with its badge, one renewal due soon, one in review
where the demo member is a reviewer, one with corrections requested, one submitted, one draft of
the demo member's own place) and a competence badge for the demo member. Idempotent.
"""

from datetime import timedelta

from django.utils import timezone

from community.demo import MEMBER_EMAIL, STAFF_EMAIL
from community.models import User
from places.models import Place
from places.services import place_manager_add

from . import services
from .models import ApplicationState, BadgeClass, Criterion, Referential

S = ApplicationState

AXES = [
    (
        "Accueil",
        [
            ("A1", "Accueil inconditionnel et sans jugement", "Charte d'accueil affichée, fiche de poste", True),
            ("A2", "Horaires et accessibilité", "Horaires publiés, fiche Acceslibre", True),
            ("A3", "Confidentialité des échanges", "Espace isolé, procédure sur les données personnelles", False),
        ],
    ),
    (
        "Accompagnement",
        [
            ("B1", "Diagnostic des besoins et des compétences", "Outil de diagnostic utilisé (Pix, Les Bons Clics…)", True),
            ("B2", "Accompagnement individuel", "Nombre de personnes accompagnées sur un an", True),
            ("B3", "Ateliers collectifs", "Programme des ateliers", False),
        ],
    ),
    (
        "Accès aux droits",
        [
            ("C1", "Aide aux démarches en ligne", "Habilitation Aidants Connect ou mandat", True),
            ("C2", "Orientation vers les bons interlocuteurs", "Annuaire des partenaires sociaux", True),
            ("C3", "Suivi des situations complexes", "Procédure de relais", False),
        ],
    ),
    (
        "Compétences des médiateur·rices",
        [
            ("D1", "Formation des médiateur·rices", "Attestations de formation (CCP, Conseiller numérique)", True),
            ("D2", "Formation continue", "Plan de formation annuel", False),
            ("D3", "Analyse de pratiques", "Participation aux temps d'échange du réseau", False),
        ],
    ),
    (
        "Partenariats",
        [
            ("E1", "Ancrage territorial", "Conventions avec CCAS, France services, médiathèques", True),
            ("E2", "Participation au réseau régional", "Présence aux rencontres du hub", True),
            ("E3", "Évaluation et remontée des besoins", "Bilan d'activité annuel", False),
        ],
    ),
]

COMPETENCE_BADGES = [
    (
        "mediation-acces-aux-droits",
        "Médiation numérique et accès aux droits",
        "Sait accompagner une personne dans ses démarches administratives en ligne, dans le respect de son autonomie et de ses données.",
        "Avoir suivi les trois journées de la formation régionale « Accès aux droits » et présenté une situation d'accompagnement.",
    ),
    (
        "animation-ateliers",
        "Animation d'ateliers collectifs",
        "Sait concevoir et animer un atelier collectif d'initiation au numérique.",
        "Avoir suivi la formation « Animer un atelier » et animé deux ateliers observés par un pair.",
    ),
]


def load_demo(stdout=None) -> None:
    if Referential.objects.exists():
        return
    staff = User.objects.filter(email=STAFF_EMAIL).first()
    member = User.objects.filter(email=MEMBER_EMAIL).first()
    referential = services.referential_create(
        version=1,
        title="Référentiel du label régional",
        description="Cinq axes, quinze critères : ce que garantit un lieu labellisé.",
        axes=[
            (
                axis,
                [
                    {"code": code, "title": title, "expected_evidence": evidence, "required": required, "scale_max": 3, "description": ""}
                    for code, title, evidence, required in criteria
                ],
            )
            for axis, criteria in AXES
        ],
        publish=True,
    )
    for slug, name, description, criteria in COMPETENCE_BADGES:
        BadgeClass.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description, "criteria": criteria, "kind": BadgeClass.Kind.COMPETENCE}
        )
    services.label_badge_class()
    if staff is None or member is None:
        return
    places = list(Place.objects.filter(schema_id__startswith="maillage-demo-").order_by("schema_id")[:8])
    if len(places) < 7:
        return
    people = list(User.objects.filter(profile__status="approved", is_staff=False).exclude(pk=member.pk).order_by("pk")[:12])
    if len(people) < 10:
        return
    criteria = list(Criterion.objects.filter(axis__referential=referential))

    def applied(place, manager):
        place_manager_add(actor=staff, place=place, member=manager)
        app = services.application_create(actor=manager, place=place)
        services.application_answers_save(
            actor=manager,
            application=app,
            answers={c.pk: f"Au sein de {place.nom}, nous répondons au critère « {c.title} » ainsi : …" for c in criteria},
        )
        return app

    def reviewed(app, reviewer, *, submit=True):
        review = app.reviews.get(reviewer=reviewer)
        services.review_declare(actor=reviewer, review=review, no_conflict=True)
        review.refresh_from_db()
        services.review_save(
            actor=reviewer,
            review=review,
            scores={c.pk: (2 + (c.pk % 2), "Conforme aux attentes.") for c in criteria},
            comment="Avis favorable.",
            submit=submit,
        )

    # 1. a granted label with its badge
    app = applied(places[1], people[0])
    services.application_submit(actor=people[0], application=app)
    services.application_assign_reviewers(actor=staff, application=app, reviewers=[people[5], people[6]])
    reviewed(app, people[5])
    reviewed(app, people[6])
    services.application_decide(actor=staff, application=app, decision=S.GRANTED, reason="Dossier complet, visite concluante.")

    # 2. a label granted almost three years ago: its renewal is due
    app = applied(places[2], people[1])
    services.application_submit(actor=people[1], application=app)
    services.application_assign_reviewers(actor=staff, application=app, reviewers=[people[7]])
    reviewed(app, people[7])
    services.application_decide(
        actor=staff,
        application=app,
        decision=S.GRANTED_CONDITIONS,
        reason="Accueil de qualité.",
        conditions="Former un second médiateur d'ici un an.",
        today=timezone.localdate() - timedelta(days=3 * 365 - 60),
    )

    # 3. in review, the demo member is a reviewer (still to declare no conflict)
    app = applied(places[3], people[2])
    services.application_submit(actor=people[2], application=app)
    services.application_assign_reviewers(actor=staff, application=app, reviewers=[member, people[8]])
    reviewed(app, people[8])

    # 4. corrections requested
    app = applied(places[4], people[3])
    services.application_submit(actor=people[3], application=app)
    services.application_assign_reviewers(actor=staff, application=app, reviewers=[people[9]])
    services.review_declare(actor=people[9], review=app.reviews.get(), no_conflict=True)
    services.application_request_corrections(
        actor=people[9], application=app, comment="Joignez la charte d'accueil (A1) et précisez les horaires (A2)."
    )

    # 5. submitted, waiting for reviewers; 6. refused
    app = applied(places[5], people[4])
    services.application_submit(actor=people[4], application=app)
    app = applied(places[6], people[4])
    services.application_submit(actor=people[4], application=app)
    services.application_assign_reviewers(actor=staff, application=app, reviewers=[people[5]])
    services.application_decide(
        actor=staff, application=app, decision=S.REFUSED, reason="Les critères obligatoires C1 et D1 ne sont pas remplis."
    )

    # 7. the demo member's own place: a draft
    if places[0].managers.filter(pk=member.pk).exists():
        services.application_create(actor=member, place=places[0])

    services.competence_badge_issue(
        actor=staff,
        badge_class=BadgeClass.objects.get(slug="mediation-acces-aux-droits"),
        recipient=member,
        narrative="Formation régionale « Accès aux droits », session de printemps.",
    )
    if stdout is not None:
        stdout.write("  label : référentiel v1 (15 critères), 7 candidatures, 2 lieux labellisés, 1 badge de compétence")
