import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('organisation', '0001_initial'),
        ('people', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='DataRequest',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('subject', models.CharField(max_length=60, verbose_name='subject')),
                ('kind', models.CharField(choices=[('export', 'Copy of their data'), ('erasure', 'Erasure'), ('withdrawal', 'Withdrawal of consent')], max_length=16, verbose_name='request')),
                ('received_at', models.DateTimeField(verbose_name='received at')),
                ('received_how', models.CharField(choices=[('paper', 'Signed paper form'), ('verbal', 'Spoken, with a witness'), ('online', 'Online form')], max_length=16, verbose_name='received how')),
                ('acknowledge_by', models.DateField(verbose_name='answer due')),
                ('due_by', models.DateField(verbose_name='carry out by')),
                ('status', models.CharField(choices=[('open', 'Waiting'), ('done', 'Done'), ('refused', 'Refused')], default='open', max_length=16, verbose_name='status')),
                ('handled_at', models.DateTimeField(blank=True, null=True, verbose_name='handled at')),
                ('outcome', models.TextField(blank=True, verbose_name='outcome')),
                ('citizen', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='data_requests', to='people.citizen')),
                ('handled_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('recorded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('unit', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='organisation.unit')),
            ],
            options={
                'verbose_name': 'data request',
                'verbose_name_plural': 'data requests',
                'ordering': ['-received_at'],
            },
        ),
    ]
