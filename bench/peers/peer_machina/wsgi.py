import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peer_machina.settings")  # serve.sh sets it
application = get_wsgi_application()
