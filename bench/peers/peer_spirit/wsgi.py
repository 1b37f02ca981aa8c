import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peer_spirit.settings")  # serve.sh sets it
application = get_wsgi_application()
