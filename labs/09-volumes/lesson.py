# %% [markdown] key="title"
# # Volumes: data that outlives its pod

# %% [markdown] key="objectives"
# A container's files disappear with it, and Pods are replaced all the time. In this lab you give your
# applications storage that stays. By the end you will be able to:
#
# - explain PersistentVolumes, PersistentVolumeClaims and StorageClasses, and who creates each;
# - create a claim, see it **Bound**, and mount it in a Deployment's pod;
# - prove that data written in a pod survives when the pod is deleted;
# - choose between one volume for a whole Deployment and one volume per replica with a StatefulSet.

# %% [markdown] key="setup-intro"
# ## Getting ready
#
# The first cell opens the lab: it creates the lab's namespace and a generated password for the database you
# will run later. The second makes that namespace kubectl's default.

# %% key="setup" tags=["setup"]
from checkers.notebook_api import open_lab
lab = open_lab("09-volumes")
lab.start()

# %% key="set-namespace" tags=["setup"]
!kubectl config set-context --current --namespace={lab.namespace}

# %% [markdown] key="concept-fridges"
# ## The supermarket's cold rooms
#
# Back in the supermarket: the butcher works at a counter, but the meat is not kept on the counter. It sits
# in the cold rooms behind the shop. When a butcher goes home sick and another one takes the counter, the
# meat is still there, because it never belonged to the butcher. A container is the butcher: anything it
# keeps in its own pockets (its filesystem) leaves with it. A **volume** is the cold room: storage that
# belongs to the shop, which the next worker finds exactly as the last one left it.

# %% [markdown] key="concept-objects"
# ## Three objects, three roles
#
# - A **PersistentVolume** (PV) is a real piece of storage: a disk, a network share, a folder on a node.
#   It belongs to the whole cluster, not to a namespace, and is usually the administrator's business.
# - A **PersistentVolumeClaim** (PVC) is a request for storage, made by an application in its namespace:
#   "I need 1Gi that one node can write to". Pods mount claims, never volumes directly.
# - A **StorageClass** describes a kind of storage and, when it has a *provisioner*, creates a
#   PersistentVolume for each new claim on demand. This is **dynamic provisioning**.
#
# Kubernetes' PV controller **binds** each claim to a volume that fits it: same `storageClassName`, a
# compatible access mode, and at least the requested size. Once bound, the pair belongs together.

# %% [markdown] key="step-classes"
# ## Which storage does your cluster offer?
#
# List the StorageClasses. minikube has one called `standard`, marked `(default)`: any claim that names no
# class gets it, and minikube's provisioner creates a folder on the node for it. Cloud clusters have their
# own. kubelab's embedded cluster has none: no provisioner, so volumes must be made by hand, which is
# exactly what you will do first.

# %% key="get-storageclasses"
!kubectl get storageclass
!kubectl get pv

# %% [markdown] key="step-pv"
# ## A volume by hand
#
# Play the administrator and create a PersistentVolume of class `kubelab-manual`, a name that no
# provisioner uses, so claims of this class only ever bind to volumes made by hand. Its details:
#
# - `capacity` 1Gi and the access mode `ReadWriteOnce` (mounted read-write by one node at a time);
# - `hostPath`: the storage is a folder on the node (fine for a one-node lab, never for production);
# - `persistentVolumeReclaimPolicy: Retain`: when the claim is deleted, the data is kept;
# - `claimRef` reserves the volume for the claim `volumes-data` of your namespace, so that no other claim in
#   the cluster can take it.
#
# PersistentVolumes have cluster-wide names, so this one carries your namespace in its name. The cell reads
# the namespace from kubectl's context into `NS`; note the heredoc is `<<EOF` without quotes here, so that
# the shell replaces `${NS}`. If you work on a shared classroom cluster, you may not be allowed to create
# volumes: skip this cell, and remove the `storageClassName` line from the claims below, so that the
# cluster's default StorageClass provides them.

# %% key="apply-pv"
%%bash
NS=$(kubectl config view --minify -o jsonpath='{..namespace}')
kubectl apply -f - <<EOF
apiVersion: v1
kind: PersistentVolume
metadata:
  name: volumes-data-${NS}
  labels:
    kubelab.dev/claim-namespace: ${NS}
spec:
  storageClassName: kubelab-manual
  capacity:
    storage: 1Gi
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  claimRef:
    namespace: ${NS}
    name: volumes-data
  hostPath:
    path: /data/kubelab/${NS}/volumes-data
    type: DirectoryOrCreate
EOF
kubectl get pv volumes-data-${NS}

# %% [markdown] key="step-pvc"
# ## The claim
#
# Now the application's side: a claim for 1Gi of class `kubelab-manual`. The PV controller notices it and
# binds it to your volume within a second. `kubectl get pvc` then shows STATUS `Bound`, the VOLUME it got
# and its CAPACITY.

# %% key="apply-pvc"
%%bash
kubectl apply -f - <<'EOF'
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: volumes-data
spec:
  storageClassName: kubelab-manual
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: 1Gi
EOF

# %% key="get-pvc"
!kubectl wait --for=jsonpath='{.status.phase}'=Bound pvc/volumes-data --timeout=60s
!kubectl get pvc volumes-data
!kubectl describe pvc volumes-data

# %% [markdown] key="step-app"
# ## Mounting the claim
#
# The Deployment `volumes-app` runs nginx and mounts the claim where nginx looks for its pages. Two details
# matter:
#
# - under `volumes`, the type is `persistentVolumeClaim` with `claimName: volumes-data`;
# - `strategy: Recreate`: on an update, the old pod stops before the new one starts. A `ReadWriteOnce`
#   volume can be attached to only one node, so a rolling update whose new pod lands on another node would
#   wait forever for the volume.

# %% key="apply-app"
%%bash
kubectl apply -f - <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: volumes-app
  labels:
    app: volumes-app
spec:
  replicas: 1
  strategy:
    type: Recreate
  selector:
    matchLabels:
      app: volumes-app
  template:
    metadata:
      labels:
        app: volumes-app
    spec:
      containers:
        - name: web
          image: nginx:1.30
          ports:
            - containerPort: 80
          volumeMounts:
            - name: html
              mountPath: /usr/share/nginx/html
      volumes:
        - name: html
          persistentVolumeClaim:
            claimName: volumes-data
EOF
kubectl rollout status deployment/volumes-app --timeout=120s

# %% key="describe-app"
!kubectl get pods -l app=volumes-app -o wide
!kubectl describe pod -l app=volumes-app

# %% [markdown] key="step-proof"
# ## Proof that the data stays
#
# Time for the experiment. The next cell makes a random *nonce* (a value used once), records it in a
# ConfigMap called `volumes-proof` (the checker reads it there), and writes it into the mounted folder through
# the pod. It needs a container that really runs, so it is skipped on a cluster with simulated nodes.

# %% key="write-nonce" tags=["needs-data-plane"]
%%bash
NONCE=$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')
kubectl create configmap volumes-proof --from-literal=nonce=$NONCE
kubectl exec deploy/volumes-app -- sh -c "echo $NONCE > /usr/share/nginx/html/proof.txt"
kubectl exec deploy/volumes-app -- cat /usr/share/nginx/html/proof.txt

# %% [markdown] key="step-delete-pod"
# Now delete the pod. Its ReplicaSet creates a new one, with a new name, which mounts the same claim.

# %% key="delete-pod"
!kubectl delete pod -l app=volumes-app --wait=true
!kubectl rollout status deployment/volumes-app --timeout=120s
!kubectl get pods -l app=volumes-app

# %% [markdown] key="step-read-back"
# Ask the new pod for the file. It is a different container, but the same volume: the nonce is still there.

# %% key="read-back" tags=["needs-data-plane"]
!kubectl exec deploy/volumes-app -- cat /usr/share/nginx/html/proof.txt
!kubectl get configmap volumes-proof -o jsonpath='{.data.nonce}'

# %% [markdown] key="exercise-intro"
# ## Exercise: a database with one volume per replica
#
# Your app has one volume, and its single pod uses it. Could a database run three replicas of that
# Deployment on the same claim? No: every replica of a Deployment mounts the **same** claim, and two
# database servers writing into the same files corrupt them (and a `ReadWriteOnce` volume cannot even be
# mounted on two nodes). A replicated database needs **one volume per replica**.

# %% [markdown] key="exercise-statefulset"
# That is what a **StatefulSet** gives. Its pods have stable names (`volumes-db-0`, `volumes-db-1`), start
# in order, and its `volumeClaimTemplates` make one claim per replica, named
# `<template>-<statefulset>-<index>`. When `volumes-db-1` is replaced, the new pod mounts the claim
# `data-volumes-db-1` again, so each replica finds its own data.

# %% [markdown] key="exercise-volumes"
# On a cluster without a dynamic provisioner, each of those claims needs a volume too. This cell creates
# two, reserved for the claims the StatefulSet will make (skip it if you skipped "A volume by hand").

# %% key="apply-db-pvs"
%%bash
NS=$(kubectl config view --minify -o jsonpath='{..namespace}')
for CLAIM in data-volumes-db-0 data-volumes-db-1; do
kubectl apply -f - <<EOF
apiVersion: v1
kind: PersistentVolume
metadata:
  name: ${CLAIM}-${NS}
  labels:
    kubelab.dev/claim-namespace: ${NS}
spec:
  storageClassName: kubelab-manual
  capacity:
    storage: 1Gi
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  claimRef:
    namespace: ${NS}
    name: ${CLAIM}
  hostPath:
    path: /data/kubelab/${NS}/${CLAIM}
    type: DirectoryOrCreate
EOF
done

# %% [markdown] key="exercise-spec"
# Write the StatefulSet `volumes-db`:
#
# - `serviceName: volumes-db`, and a headless Service `volumes-db` (`clusterIP: None`, port 5432, selector
#   `app: volumes-db`), which gives each replica its own DNS name;
# - `replicas: 2`, label `app: volumes-db`;
# - one container `db`, image `postgres:17-alpine`, port 5432, with the environment variable
#   `POSTGRES_PASSWORD` taken from the Secret `volumes-db-credentials` (key `password`) and
#   `PGDATA=/var/lib/postgresql/data/pgdata`;
# - a `volumeClaimTemplates` entry named `data`: class `kubelab-manual`, `ReadWriteOnce`, 1Gi, mounted at
#   `/var/lib/postgresql/data`.
#
# `kubectl explain statefulset.spec.volumeClaimTemplates` describes the field. Write your manifests in the
# next cell, above the `kubectl get` line.

# %% key="exercise-db"
%%bash
kubectl get statefulsets,pvc

# %% [markdown] key="exercise-verify"
# Wait for both replicas, then look at the claims: one per replica, each Bound to its own volume.

# %% key="inspect-db"
!kubectl rollout status statefulset/volumes-db --timeout=120s
!kubectl get pods,pvc -l app=volumes-db
!kubectl get pv

# %% key="picture"
lab.picture()

# %% [markdown] key="check-intro"
# ## Check your work
#
# Run the checks. Each line says what was verified in your cluster: ✓ passed, ✗ failed (with hints),
# ⚠ could not be checked (not your fault, and it costs no points), ⏭ skipped because this cluster cannot run it.

# %% key="check" tags=["check"]
lab.check()

# %% [markdown] key="stuck"
# ## Stuck?
#
# The next cell applies the reference solution (volumes included) so that you can compare it with your own
# work, with `kubectl get statefulset volumes-db -o yaml`. The cell after it runs the checks again.
# Because the solution replaces your work, the solve cell only shows a button: nothing changes until you click it.

# %% key="solve" tags=["solve", "skip-execution"]
lab.solve()

# %% key="check-after-solve" tags=["check"]
lab.check()

# %% [markdown] key="debrief-why"
# ## Why it works
#
# Pods never own their storage: they point to a claim, and the claim is bound to a volume that lives outside
# any pod. Deleting the pod deletes the container's own files, not the volume; its replacement mounts the
# same claim and finds the same data. The binding is done by a controller, the same loop you met with
# Deployments: it compares the claims that wait with the volumes that are free, and pairs them.

# %% [markdown] key="debrief-dynamic"
# With a StorageClass that has a provisioner (minikube's `standard`, a cloud disk class), nobody writes
# PersistentVolumes: each claim, including each claim of a StatefulSet's templates, gets a fresh volume
# made for it. The claims you wrote would then simply leave out `storageClassName`, or name that class.

# %% [markdown] key="mistake-pending"
# ## Common mistakes
#
# **A claim stuck in Pending.** No volume fits it: another class, another access mode, or less space than
# requested, and no provisioner to make one. `kubectl describe pvc` says what it waits for. Pods that mount
# it stay Pending too.

# %% [markdown] key="mistake-emptydir"
# **An emptyDir where a claim was needed.** An `emptyDir` lives exactly as long as its pod: perfect to share
# files between two containers, useless to keep data. Everything in it is gone when the pod is replaced.

# %% [markdown] key="mistake-shared"
# **One claim for every replica.** Replicas of a Deployment all mount the same claim. For a web server
# serving the same files, that can be fine (with a `ReadWriteMany` volume); for a database, it is data
# corruption. Use a StatefulSet with `volumeClaimTemplates`.

# %% [markdown] key="mistake-reclaim"
# **Losing data with the claim.** Dynamically provisioned volumes usually have the reclaim policy `Delete`:
# delete the claim and the disk goes with it. Claims made by a StatefulSet are kept when the StatefulSet is
# deleted, precisely to protect the data. On multi-node minikube, the `standard` provisioner writes on
# whichever node runs the pod, so a pod moved to another node finds an empty folder.

# %% [markdown] key="reset-intro"
# ## Start again
#
# The next cell removes what the lab created and puts back the starting state. PersistentVolumes belong to
# the cluster, not to the namespace, so it also deletes the ones this lab made for your namespace (they are
# `Released` once their claims are gone, and would not bind again).
# Because it deletes your work, that cell only shows a button: nothing changes until you click it.

# %% key="reset" tags=["reset", "skip-execution"]
lab.reset()
