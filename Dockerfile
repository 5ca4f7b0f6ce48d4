FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml ./
RUN pip install --no-cache-dir --upgrade pip
COPY . .
RUN pip install --no-cache-dir . && python manage.py collectstatic --noinput
RUN useradd --create-home triage && chown -R triage /app
USER triage
EXPOSE 8000
# Workers, restarts and the access log come from gunicorn.conf.py in /app.
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000"]
