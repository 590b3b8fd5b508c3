from django import template

from volunteer_site.names import person_name

register = template.Library()
register.filter("person_name", person_name)
