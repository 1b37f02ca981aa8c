"""The national schema "lieux de médiation numérique" v1.0.2: column names and enumerated values.

Values are copied verbatim from ``schema.json`` (``../shared/standards/lieux-mediation-numerique``):
the open-data export must write them byte for byte, and the import must accept exactly them (they
are data, not interface text: they are never translated). This module is the one list of columns:
the model's editable fields, the form, the service and the open-data import and export all derive
from ``COLUMNS``.
"""

from django.utils.translation import gettext_lazy as _

SCHEMA_VERSION = "v1.0.2"

COLUMNS = [
    "id",
    "pivot",
    "nom",
    "commune",
    "code_postal",
    "code_insee",
    "adresse",
    "complement_adresse",
    "latitude",
    "longitude",
    "typologie",
    "telephone",
    "courriels",
    "site_web",
    "horaires",
    "presentation_resume",
    "presentation_detail",
    "source",
    "itinerance",
    "structure_parente",
    "date_maj",
    "services",
    "publics_specifiquement_adresses",
    "prise_en_charge_specifique",
    "frais_a_charge",
    "dispositif_programmes_nationaux",
    "formations_labels",
    "autres_formations_labels",
    "modalites_acces",
    "modalites_accompagnement",
    "fiche_acces_libre",
    "prise_rdv",
]

# Model attribute of each column (the schema's ``id`` is ``Place.schema_id``: ``id`` is our key).
COLUMN_TO_FIELD = {column: column for column in COLUMNS} | {"id": "schema_id"}
FIELDS = [COLUMN_TO_FIELD[c] for c in COLUMNS]
# Columns the site keeps itself: the identifier, and the update date (set when a manager saves).
MANAGED_COLUMNS = ("id", "date_maj")
EDITABLE_COLUMNS = [c for c in COLUMNS if c not in MANAGED_COLUMNS]
REQUIRED_COLUMNS = ["id", "pivot", "nom", "commune", "code_postal", "adresse", "date_maj"]

# Calling codes the schema's ``telephone`` pattern accepts (metropolitan France and overseas).
PHONE_CALLING_CODES = (33, 590, 594, 262, 596, 269, 687, 689, 508, 681)

ITINERANCE = ["Itinérant", "Fixe"]
SERVICES = [
    "Aide aux démarches administratives",
    "Maîtrise des outils numériques du quotidien",
    "Insertion professionnelle via le numérique",
    "Utilisation sécurisée du numérique",
    "Parentalité et éducation avec le numérique",
    "Loisirs et créations numériques",
    "Compréhension du monde numérique",
    "Accès internet et matériel informatique",
    "Acquisition de matériel informatique à prix solidaire",
]
PUBLICS = ["Jeunes", "Étudiants", "Familles et/ou enfants", "Seniors", "Femmes"]
PRISE_EN_CHARGE = [
    "Surdité",
    "Handicaps moteurs",
    "Handicaps mentaux",
    "Illettrisme",
    "Langues étrangères (anglais)",
    "Langues étrangères (autres)",
    "Déficience visuelle",
]
FRAIS = ["Gratuit", "Gratuit sous condition", "Payant"]
DISPOSITIFS = [
    "Aidants Connect",
    "Bibliothèques numérique de référence",
    "Certification PIX",
    "Conseillers numériques",
    "Emmaüs Connect",
    "France Services",
    "Grande école du numérique",
    "La Croix Rouge",
    "Point d'accès numérique CAF",
    "Promeneurs du net",
    "Relais numérique (Emmaüs Connect)",
]
FORMATIONS_LABELS = [
    "Formé à « Mon Espace Santé »",
    "Formé à « DUPLEX » (illettrisme)",
    "Arnia/MedNum BFC (Bourgogne-Franche-Comté)",
    "Collectif ressources et acteurs réemploi (Normandie)",
    "Étapes numériques(La Poste)",
    "Fabriques de Territoire",
    "Les Éclaireurs du numérique (Drôme)",
    "Mes Papiers (Métropole de Lyon)",
    "ORDI 3.0",
    "SUD LABS (PACA)",
]
MODALITES_ACCES = [
    "Se présenter",
    "Téléphoner",
    "Contacter par mail",
    "Prendre un RDV en ligne",
    "Ce lieu n'accueille pas de public",
    "Envoyer un mail avec une fiche de prescription",
]
MODALITES_ACCOMPAGNEMENT = ["En autonomie", "Accompagnement individuel", "Dans un atelier collectif", "À distance"]

# Typologies used by the national cartography (not enumerated by the schema, so free codes are
# accepted; these are offered in forms).
TYPOLOGIES = {
    "ACI": _("Structure porteuse d'ateliers et chantiers d'insertion"),
    "ASSO": _("Association"),
    "BIB": _("Bibliothèque / médiathèque"),
    "CAF": _("Caisse d'allocations familiales"),
    "CCAS": _("Centre communal d'action sociale"),
    "CS": _("Centre social"),
    "EPCI": _("Intercommunalité"),
    "FABLAB": _("Fablab"),
    "FRANCE_SERVICE": _("France Services"),
    "MDS": _("Maison départementale des solidarités"),
    "MJC": _("Maison des jeunes et de la culture"),
    "MUNI": _("Mairie"),
    "PIJ_BIJ": _("Point / bureau information jeunesse"),
    "RFS": _("Réseau France Services"),
    "TIERS_LIEUX": _("Tiers-lieu"),
}

# Multi-valued columns ("|" between values) and their closed vocabulary (None = free values).
MULTI_VALUED = {
    "typologie": None,
    "courriels": None,
    "site_web": None,
    "itinerance": ITINERANCE,
    "services": SERVICES,
    "publics_specifiquement_adresses": PUBLICS,
    "prise_en_charge_specifique": PRISE_EN_CHARGE,
    "frais_a_charge": FRAIS,
    "dispositif_programmes_nationaux": DISPOSITIFS,
    "formations_labels": FORMATIONS_LABELS,
    "modalites_acces": MODALITES_ACCES,
    "modalites_accompagnement": MODALITES_ACCOMPAGNEMENT,
}

# Maillage's own vocabularies beyond the schema (the offer's languages and accessibility). They are
# stored like the schema's multi-valued columns ("|" between values) but never leave through the
# national export, whose columns stay exactly the schema's.
LANGUES = [
    "Français",
    "Anglais",
    "Allemand",
    "Arabe",
    "Espagnol",
    "Italien",
    "Portugais",
    "Roumain",
    "Russe",
    "Ukrainien",
    "Turc",
    "Tamazight (berbère)",
    "Langue des signes française (LSF)",
]
ACCESSIBILITE = [
    "Accessible en fauteuil roulant",
    "Boucle à induction magnétique",
    "Documents en facile à lire et à comprendre (FALC)",
    "Matériel adapté (loupe, clavier, lecteur d'écran)",
    "Accompagnement possible à domicile",
    "Transports en commun à proximité",
    "Stationnement réservé à proximité",
]
EXTRA_MULTI_VALUED = {"langues": LANGUES, "accessibilite": ACCESSIBILITE}
# Every closed vocabulary a place's multi-valued field is checked against.
VOCABULARIES = {**{k: v for k, v in MULTI_VALUED.items() if v}, **EXTRA_MULTI_VALUED}

SEPARATOR = "|"


def split_values(value: str) -> list[str]:
    """``"a|b"`` → ``["a", "b"]``, dropping blanks."""
    return [v.strip() for v in (value or "").split(SEPARATOR) if v.strip()]


def join_values(values) -> str:
    return SEPARATOR.join(v for v in values if v)
