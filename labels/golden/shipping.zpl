^XA
^CI28
^PW812
^LL1218
^LH0,0
^FX Ship-from block
^FO40,40^A0N,28,28^FH^FDTote Warehouse BG1^FS
^FO40,74^A0N,24,24^FH^FDIndustrijska 5^FS
^FO40,104^A0N,24,24^FH^FD11070 Novi Beograd RS^FS
^FO40,150^GB732,3,3^FS
^FX Ship-to block
^FO40,175^A0N,30,30^FDSHIP TO^FS
^FO40,215^A0N,48,48^FH^FDAna _5EXZ_7EJA_5FAnić Љубица^FS
^FO40,275^A0N,40,40^FH^FDKnez Mihailova 1_5EFS^FS
^FO40,325^A0N,40,40^FH^FD11000 Beograd 北京^FS
^FO40,375^A0N,40,40^FH^FDRS +381 11 123^FS
^FO40,440^GB732,3,3^FS
^FX Carrier and tracking
^FO40,465^A0N,32,32^FH^FDlocal standard^FS
^FX Code 128 in automatic mode (no invocation codes: a '>' is a '>'); 2-dot modules fit 30 characters with quiet zones
^BY2,3,160
^FO40,520^BCN,160,Y,N,N,A^FH^FDTT123456785RS^FS
^FO40,760^GB732,3,3^FS
^FX Order, package n/m, weight
^FX The order line stops 40 dots short of the QR code (^FB bounds it)
^FO40,790^FB540,1,0,L,0^A0N,32,32^FH^FDOrder shop-1001^FS
^FO40,835^A0N,32,32^FH^FDPackage 1/2^FS
^FO40,880^A0N,32,32^FH^FDWeight 1.25 kg^FS
^BY2,2,0
^FO620,790^BQN,2,5^FH^FDQA,TT123456785RS^FS
^XZ
