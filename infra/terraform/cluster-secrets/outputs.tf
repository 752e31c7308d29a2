output "namespace" {
  description = "Namespace the Secrets were written to."
  value       = kubernetes_namespace.cronhook.metadata[0].name
}

output "admin_password" {
  description = "The first admin password (CRONHOOK_ADMIN_PASSWORD): `terraform output -raw admin_password`."
  value       = random_password.admin.result
  sensitive   = true
}

output "secrets" {
  description = "The Secrets this root manages."
  value = [
    kubernetes_secret.registry_pull.metadata[0].name,
    kubernetes_secret.registry_push.metadata[0].name,
    kubernetes_secret.redis.metadata[0].name,
    kubernetes_secret.redis_admin.metadata[0].name,
    kubernetes_secret.db.metadata[0].name,
    kubernetes_secret.app.metadata[0].name,
    kubernetes_secret.cockroach_ca.metadata[0].name,
    kubernetes_secret.cockroach_node.metadata[0].name,
    kubernetes_secret.cockroach_root.metadata[0].name,
  ]
}
