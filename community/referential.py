"""The starting skills référentiel: the mediator competences of the national reference.

Grouped as the référentiel des compétences du médiateur numérique and Pix's areas do
(accompanying procedures, everyday autonomy, safety and digital culture, fragile publics,
leading and coordinating). The data migration seeds it once; afterwards the hub's staff maintain it
in the admin (names, categories, aliases, matching orientation needs). ``aliases`` are the free
words members used before, matched accent- and case-free; ``needs`` are services of the national
places schema whose referrals count as demand for the skill (the observatory's gaps).
"""

REFERENTIAL = [
    (
        "Accompagner les démarches et l'accès aux droits",
        [
            (
                "Accompagnement aux démarches administratives en ligne",
                "accompagnement aux démarches en ligne, accompagnement administratif, démarches administratives, "
                "démarches en ligne, e-administration, aide aux démarches",
                "Aide aux démarches administratives",
            ),
            ("Accès aux droits", "accès aux services publics, France services, FranceConnect", "Aide aux démarches administratives"),
            ("Aidants Connect", "habilitation Aidants Connect", "Aide aux démarches administratives"),
        ],
    ),
    (
        "Développer l'autonomie numérique au quotidien",
        [
            (
                "Prise en main d'un équipement",
                "usage du smartphone, prise en main du smartphone, prise en main d'un ordinateur, tablette, smartphone",
                "Maîtrise des outils numériques du quotidien|Accès internet et matériel informatique",
            ),
            (
                "Usage d'internet et de la messagerie",
                "internet, messagerie, courriel, e-mail",
                "Maîtrise des outils numériques du quotidien",
            ),
            ("Bureautique", "traitement de texte, tableur", "Maîtrise des outils numériques du quotidien"),
            (
                "Insertion professionnelle par le numérique",
                "insertion professionnelle, recherche d'emploi, cv en ligne",
                "Insertion professionnelle via le numérique",
            ),
        ],
    ),
    (
        "Sécurité, citoyenneté et culture numérique",
        [
            (
                "Sécurité et protection des données",
                "cybersécurité, sécurité numérique, protection des données, rgpd",
                "Utilisation sécurisée du numérique",
            ),
            ("Éducation aux médias et à l'information", "éducation aux médias, fake news", "Compréhension du monde numérique"),
            (
                "Accompagnement à la parentalité numérique",
                "parentalité numérique, parentalité",
                "Parentalité et éducation avec le numérique",
            ),
            ("Création de contenus numériques", "création de contenus, loisirs numériques", "Loisirs et créations numériques"),
        ],
    ),
    (
        "Accueillir les publics fragiles",
        [
            (
                "Inclusion numérique des publics fragiles",
                "inclusion numérique, inclusion numérique des seniors, publics fragiles, seniors",
                "Maîtrise des outils numériques du quotidien",
            ),
            ("Accompagnement des publics allophones", "public allophone, publics allophones, fle", ""),
            ("Accessibilité numérique et handicap", "accessibilité numérique, handicap", ""),
            (
                "Diagnostic des compétences numériques",
                "diagnostic, diagnostic numérique",
                "Compréhension du monde numérique",
            ),
        ],
    ),
    (
        "Animer, former et coordonner",
        [
            (
                "Animation d'ateliers collectifs",
                "animation d'ateliers, ateliers numériques, ateliers collectifs",
                "Maîtrise des outils numériques du quotidien",
            ),
            ("Formation de formateurs", "formation d'aidants, formation des aidants", ""),
            (
                "Reconditionnement et équipement solidaire",
                "reconditionnement, matériel reconditionné",
                "Acquisition de matériel informatique à prix solidaire|Accès internet et matériel informatique",
            ),
            ("Montage de projet et recherche de financements", "montage de projet, recherche de financements", ""),
            ("Coordination territoriale", "travail en réseau, intelligence collective", ""),
            ("Médiation en itinérance", "itinérance, bus numérique", ""),
        ],
    ),
]
