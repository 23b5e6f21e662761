# Image for web, worker, beat and migrate (see docker-compose.yml and docs/deploy.md).
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=bcpweb.settings.production
RUN apt-get update && apt-get install -y --no-install-recommends gettext curl \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# The runtime pins with their hashes first (a layer that changes only with `make lock`),
# then the project itself without resolving anything again.
COPY requirements.lock ./
RUN pip install --no-cache-dir --require-hashes -r requirements.lock
COPY . .
RUN pip install --no-cache-dir --no-deps .
# Build-time only values: compilemessages needs settings to import. Static files are
# collected into the shared volume by the `migrate` service, so they match this image.
RUN SECRET_KEY=build REDIS_URL=redis://localhost:6379/0 DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    python manage.py compilemessages --ignore=.venv -v0
RUN useradd --system --home /app bcpweb && mkdir -p /srv/bcpweb && chown -R bcpweb /srv/bcpweb
USER bcpweb
EXPOSE 8000
CMD ["gunicorn", "bcpweb.wsgi:application", "--config", "deploy/gunicorn.conf.py"]
